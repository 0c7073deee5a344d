import { test } from 'node:test';
import assert from 'node:assert/strict';
import { valueConverter, type ConvertOptions } from '../../src/values/index.js';
import { pgType } from '../harness/builders.js';

const column = pgType;

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

test('time and timetz are their text', () => {
  assertConverts('time', [['05:06:07.123456', '05:06:07.123456'], ['24:00:00', '24:00:00']]);
  assertConverts('timetz', [['05:06:07+05:30', '05:06:07+05:30']]);
});

test('interval is the ISO 8601 duration PostgreSQL prints with IntervalStyle iso_8601', () => {
  assertConverts('interval', [
    ['1 year 2 mons 3 days 04:05:06.789', 'P1Y2M3DT4H5M6.789S'],
    ['00:00:00', 'PT0S'],
    ['-00:00:01', 'PT-1S'],
    ['-00:00:00.000001', 'PT-0.000001S'],
    ['1 day', 'P1D'],
    ['-1 years -2 mons +3 days -04:05:06', 'P-1Y-2M3DT-4H-5M-6S'],
    ['1 mon -1 days', 'P1M-1D'],
    ['10:00:00', 'PT10H'],
    ['-04:00:06', 'PT-4H-6S'],
    ['00:05:00', 'PT5M'],
    ['2562047788:00:54.775807', 'PT2562047788H54.775807S'],
    ['-178956970 years -8 mons -2147483648 days -2562047788:00:54.775808', 'P-178956970Y-8M-2147483648DT-2562047788H-54.775808S'],
    ['1 year', 'P1Y'],
    ['+1 day 00:00:10.5', 'P1DT10.5S'],
  ]);
  assert.throws(() => valueConverter(column('interval'))('1 fortnight'), /malformed PostgreSQL interval/);
});

/** A converter with out_of_range_values set, and the reports it made. */
function withOptions(typname: string, options: ConvertOptions): { toJson: (text: string) => string; reports: string[][] } {
  const reports: string[][] = [];
  return { toJson: valueConverter(column(typname), { ...options, onOutOfRange: (value, writtenAs) => reports.push([value, writtenAs]) }), reports };
}

test('out_of_range_values clamp: dates and timestamps to 0001-01-01 / 9999-12-31, reported', () => {
  const date = withOptions('date', { outOfRange: 'clamp' });
  assert.equal(date.toJson('infinity'), '"9999-12-31T00:00:00.000000+00:00"');
  assert.equal(date.toJson('-infinity'), '"0001-01-01T00:00:00.000000+00:00"');
  assert.equal(date.toJson('0044-03-15 BC'), '"0001-01-01T00:00:00.000000+00:00"');
  assert.equal(date.toJson('10000-01-01'), '"9999-12-31T00:00:00.000000+00:00"');
  assert.equal(date.toJson('2021-03-04'), '"2021-03-04T00:00:00.000000+00:00"');
  assert.deepEqual(date.reports.map(([value]) => value), ['infinity', '-infinity', '0044-03-15 BC', '10000-01-01']);
  assert.equal(date.reports[0]?.[1], '"9999-12-31T00:00:00.000000+00:00"');
  for (const typname of ['timestamp', 'timestamptz']) {
    const ts = withOptions(typname, { outOfRange: 'clamp' });
    assert.equal(ts.toJson('infinity'), '"9999-12-31T23:59:59.999999+00:00"');
    assert.equal(ts.toJson('-infinity'), '"0001-01-01T00:00:00.000000+00:00"');
    assert.equal(ts.toJson('0044-03-15 00:00:00.5+00 BC'), '"0001-01-01T00:00:00.000000+00:00"');
    assert.equal(ts.toJson('10000-01-01 00:00:00+00'), '"9999-12-31T23:59:59.999999+00:00"');
    assert.equal(ts.toJson('9999-12-31 23:00:00-05'), '"9999-12-31T23:59:59.999999+00:00"');
    assert.equal(ts.toJson('0001-01-01 01:00:00+02'), '"0001-01-01T00:00:00.000000+00:00"');
    assert.equal(ts.reports.length, 6);
  }
});

test('out_of_range_values null (the default) reports every null it writes', () => {
  const ts = withOptions('timestamptz', {});
  assert.equal(ts.toJson('infinity'), 'null');
  assert.equal(ts.toJson('2021-03-04 05:06:07+00'), '"2021-03-04T05:06:07.000000+00:00"');
  assert.deepEqual(ts.reports, [['infinity', 'null']]);
});

test('date_format date writes YYYY-MM-DD, clamped to the same form', () => {
  const date = withOptions('date', { dateFormat: 'date', outOfRange: 'clamp' });
  assert.equal(date.toJson('2021-03-04'), '"2021-03-04"');
  assert.equal(date.toJson('infinity'), '"9999-12-31"');
  assert.equal(date.toJson('0001-01-01 BC'), '"0001-01-01"');
  assert.equal(withOptions('date', { dateFormat: 'date' }).toJson('-infinity'), 'null');
});
