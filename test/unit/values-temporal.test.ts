import { test } from 'node:test';
import assert from 'node:assert/strict';
import { valueConverter, type PgColumnType } from '../../src/values/index.js';

function column(typname: string, extra: Partial<PgColumnType> = {}): PgColumnType {
  return { sqlType: typname, typname, typtype: 'b', typcategory: 'D', elemTypname: null, elemTyptype: null, typmod: -1, notNull: false, ...extra };
}

function assertConverts(typname: string, cases: ReadonlyArray<readonly [string, string | null]>): void {
  const toJson = valueConverter(column(typname));
  for (const [text, expected] of cases) {
    const fragment = toJson(text);
    assert.equal(JSON.parse(fragment), expected, `${typname} ${text}`);
    assert.equal(fragment, JSON.stringify(expected));
  }
}

test('date is a date-time at midnight UTC with six fractional digits', () => {
  assertConverts('date', [
    ['2021-03-04', '2021-03-04T00:00:00.000000+00:00'],
    ['1970-01-01', '1970-01-01T00:00:00.000000+00:00'],
    ['2020-02-29', '2020-02-29T00:00:00.000000+00:00'],
    ['0001-01-01', '0001-01-01T00:00:00.000000+00:00'],
    ['9999-12-31', '9999-12-31T00:00:00.000000+00:00'],
  ]);
});

test('date infinity, BC and years past 9999 are null, not a crash', () => {
  assertConverts('date', [
    ['infinity', null],
    ['-infinity', null],
    ['0044-03-15 BC', null],
    ['10000-01-01', null],
  ]);
});

test('timestamptz from a UTC session: 0, 1, 3 and 6 fractional digits', () => {
  assertConverts('timestamptz', [
    ['2021-03-04 05:06:07+00', '2021-03-04T05:06:07.000000+00:00'],
    ['2021-03-04 05:06:07.1+00', '2021-03-04T05:06:07.100000+00:00'],
    ['2021-03-04 05:06:07.123+00', '2021-03-04T05:06:07.123000+00:00'],
    ['2021-03-04 05:06:07.123456+00', '2021-03-04T05:06:07.123456+00:00'],
    ['2000-01-01 07:59:59.999999+00', '2000-01-01T07:59:59.999999+00:00'],
    ['0001-01-01 00:00:00+00', '0001-01-01T00:00:00.000000+00:00'],
    ['9999-12-31 23:59:59.999999+00', '9999-12-31T23:59:59.999999+00:00'],
  ]);
});

test('timestamp without time zone is UTC wall time', () => {
  assertConverts('timestamp', [
    ['2021-03-04 05:06:07', '2021-03-04T05:06:07.000000+00:00'],
    ['2021-03-04 05:06:07.1', '2021-03-04T05:06:07.100000+00:00'],
    ['2021-03-04 05:06:07.12', '2021-03-04T05:06:07.120000+00:00'],
    ['2021-03-04 05:06:07.123', '2021-03-04T05:06:07.123000+00:00'],
    ['2021-03-04 05:06:07.123456', '2021-03-04T05:06:07.123456+00:00'],
  ]);
});

test('a non-UTC offset is still converted to UTC, keeping microseconds', () => {
  assertConverts('timestamptz', [
    ['1999-12-31 23:59:59.999999-08', '2000-01-01T07:59:59.999999+00:00'],
    ['2020-02-29 12:00:00+05:30', '2020-02-29T06:30:00.000000+00:00'],
    ['1883-11-18 12:00:00-07:52:58', '1883-11-18T19:52:58.000000+00:00'],
    ['2021-03-04 05:06:07.5+00:00', '2021-03-04T05:06:07.500000+00:00'],
    ['9999-12-31 23:00:00-05', null],
    ['0001-01-01 01:00:00+02', null],
  ]);
});

test('timestamp infinity, BC and years past 9999 are null, not a crash', () => {
  for (const typname of ['timestamp', 'timestamptz']) {
    assertConverts(typname, [
      ['infinity', null],
      ['-infinity', null],
      ['10000-01-01 00:00:00+00', null],
      ['10000-01-01 00:00:00', null],
      ['0044-03-15 00:00:00+00 BC', null],
      ['0044-03-15 00:00:00 BC', null],
      ['0044-03-15 00:00:00.5+00 BC', null],
    ]);
  }
});

test('time, timetz and interval are their text', () => {
  assertConverts('time', [['05:06:07.123456', '05:06:07.123456'], ['24:00:00', '24:00:00']]);
  assertConverts('timetz', [['05:06:07+05:30', '05:06:07+05:30']]);
  assertConverts('interval', [
    ['1 year 2 mons 3 days 04:05:06.789', '1 year 2 mons 3 days 04:05:06.789'],
    ['-00:00:01', '-00:00:01'],
  ]);
});
