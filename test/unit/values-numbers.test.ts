import { test } from 'node:test';
import assert from 'node:assert/strict';
import { valueConverter, type ConvertOptions } from '../../src/values/index.js';
import { pgType } from '../harness/builders.js';

const column = pgType;

/** The fragment must be the input digits exactly, and valid JSON. */
function assertVerbatimNumber(typname: string, text: string): void {
  const fragment = valueConverter(column(typname))(text);
  assert.equal(fragment, text);
  assert.equal(typeof JSON.parse(fragment), 'number');
}

test('integers are their PostgreSQL text, int8 extremes included', () => {
  for (const text of ['0', '-1', '32767', '-32768']) assertVerbatimNumber('int2', text);
  for (const text of ['2147483647', '-2147483648']) assertVerbatimNumber('int4', text);
  for (const text of ['9223372036854775807', '-9223372036854775808', '9007199254740993']) assertVerbatimNumber('int8', text);
  assertVerbatimNumber('oid', '4294967295');
});

test('int8 fragments splice into a record without losing a digit', () => {
  const toJson = valueConverter(column('int8'));
  const line = `{"b":${toJson('9223372036854775807')},"c":${toJson('-9223372036854775808')}}`;
  assert.equal(line, '{"b":9223372036854775807,"c":-9223372036854775808}');
  JSON.parse(line);
});

test('numeric keeps every digit: 40 digits, -0.50, 0.00, scale zeros', () => {
  for (const text of [
    '1234567890123456789012345678901234567890',
    '12345678901234567890.123456789',
    '-0.50',
    '0.00',
    '12345.67',
    '99999999.99',
    '-99999999.99',
    '0.000000000000000000000000000001',
    '7',
  ]) {
    assertVerbatimNumber('numeric', text);
  }
});

test('numeric NaN and infinities are null by default', () => {
  const toJson = valueConverter(column('numeric', { typmod: ((10 << 16) | 2) + 4 }));
  assert.equal(toJson('NaN'), 'null');
  assert.equal(toJson('Infinity'), 'null');
  assert.equal(toJson('-Infinity'), 'null');
  assert.equal(toJson('-1.5'), '-1.5');
});

test('floats are shortest-exact text: exponents and negative zero are valid JSON', () => {
  for (const typname of ['float4', 'float8']) {
    for (const text of ['1e+30', '1.5e-07', '-0', '0', '3.14', '-2.5', '1.7976931348623157e+308', '5e-324', '0.1']) {
      assertVerbatimNumber(typname, text);
    }
  }
  assert.ok(Object.is(JSON.parse(valueConverter(column('float8'))('-0')), -0));
});

test('float NaN and infinities are null', () => {
  for (const typname of ['float4', 'float8']) {
    const toJson = valueConverter(column(typname));
    assert.equal(toJson('NaN'), 'null');
    assert.equal(toJson('Infinity'), 'null');
    assert.equal(toJson('-Infinity'), 'null');
  }
});

test('bool t/f are JSON booleans', () => {
  const toJson = valueConverter(column('bool', { typcategory: 'B' }));
  assert.equal(toJson('t'), 'true');
  assert.equal(toJson('f'), 'false');
});

test('bit(1) is a boolean; longer bit strings are their text', () => {
  const bit1 = valueConverter(column('bit', { typcategory: 'V', typmod: 1, sqlType: 'bit(1)' }));
  assert.equal(bit1('1'), 'true');
  assert.equal(bit1('0'), 'false');
  const bit8 = valueConverter(column('bit', { typcategory: 'V', typmod: 8, sqlType: 'bit(8)' }));
  assert.equal(bit8('10100001'), '"10100001"');
  const varbit = valueConverter(column('varbit', { typcategory: 'V', sqlType: 'bit varying' }));
  assert.equal(varbit('1'), '"1"');
});

test('out_of_range_values clamp: infinities to the largest finite value, NaN stays null, all reported', () => {
  const reports: string[][] = [];
  const options: ConvertOptions = { outOfRange: 'clamp', onOutOfRange: (value, writtenAs) => reports.push([value, writtenAs]) };
  const float4 = valueConverter(column('float4'), options);
  const float8 = valueConverter(column('float8'), options);
  const numeric = valueConverter(column('numeric'), options);
  assert.equal(float4('Infinity'), '3.4028235e+38');
  assert.equal(float4('-Infinity'), '-3.4028235e+38');
  assert.equal(float8('Infinity'), '1.7976931348623157e+308');
  assert.equal(float8('-Infinity'), '-1.7976931348623157e+308');
  assert.equal(numeric('Infinity'), '1.7976931348623157e+308');
  assert.equal(numeric('-Infinity'), '-1.7976931348623157e+308');
  assert.equal(float8('NaN'), 'null');
  assert.equal(numeric('NaN'), 'null');
  assert.equal(numeric('-0.5'), '-0.5');
  assert.equal(float8('-0'), '-0');
  assert.deepEqual(reports, [
    ['Infinity', '3.4028235e+38'],
    ['-Infinity', '-3.4028235e+38'],
    ['Infinity', '1.7976931348623157e+308'],
    ['-Infinity', '-1.7976931348623157e+308'],
    ['Infinity', '1.7976931348623157e+308'],
    ['-Infinity', '-1.7976931348623157e+308'],
    ['NaN', 'null'],
    ['NaN', 'null'],
  ]);
  // A constrained numeric cannot hold infinity (PostgreSQL rejects it); its bound would be the clamp.
  assert.equal(valueConverter(column('numeric', { typmod: ((5 << 16) | 2) + 4 }), options)('Infinity'), '999.99');
});
