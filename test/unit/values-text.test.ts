import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonString, valueConverter, type PgColumnType } from '../../src/values/index.js';
import { pgType } from '../harness/builders.js';

const column = pgType;

function assertOneLine(fragment: string): void {
  assert.ok(!/[\n\r]/.test(fragment), `fragment has a raw line break: ${fragment}`);
}

test('jsonString quotes and escapes like JSON.stringify', () => {
  assert.equal(jsonString('quote " and \\ backslash'), '"quote \\" and \\\\ backslash"');
  assert.equal(jsonString('line1\nline2\ttab'), '"line1\\nline2\\ttab"');
  assert.equal(JSON.parse(jsonString('unicode é ✓ 😀')), 'unicode é ✓ 😀');
  assert.equal(jsonString(''), '""');
});

test('string-like types are their text as a JSON string', () => {
  const cases: ReadonlyArray<readonly [PgColumnType, string]> = [
    [column('text'), 'quote " and \\ backslash, unicode é ✓'],
    [column('text'), 'line1\nline2\ttab'],
    [column('text'), ''],
    [column('varchar', { typmod: 24 }), 'abc'],
    [column('bpchar', { typmod: 9 }), 'ab   '],
    [column('name'), 'pg_class'],
    [column('char'), 'x'],
    [column('citext'), 'MiXeD'],
    [column('uuid', { typcategory: 'U' }), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    [column('mood', { typtype: 'e', typcategory: 'E' }), 'happy'],
    [column('xml', { typcategory: 'U' }), '<a x="1">t</a>'],
    [column('inet', { typcategory: 'I' }), '192.168.0.1/24'],
    [column('cidr', { typcategory: 'I' }), '10.0.0.0/8'],
    [column('macaddr', { typcategory: 'U' }), '08:00:2b:01:02:03'],
    [column('macaddr8', { typcategory: 'U' }), '08:00:2b:01:02:03:04:05'],
    [column('money', { typcategory: 'N' }), '$1,234.56'],
    [column('tsvector', { typcategory: 'U' }), "'a' 'fat':2"],
    [column('tsquery', { typcategory: 'U' }), "'fat' & 'rat'"],
    [column('int4range', { typtype: 'r', typcategory: 'R' }), '[1,10)'],
    [column('int4multirange', { typtype: 'm', typcategory: 'R' }), '{[1,3),[5,7)}'],
    [column('int4range', { typtype: 'r', typcategory: 'R' }), 'empty'],
    [column('point', { typcategory: 'G' }), '(1,2)'],
    [column('pg_lsn', { typcategory: 'U' }), '16/B374D848'],
    [column('some_extension_type', { typcategory: 'U' }), 'whatever'],
    [column('my_composite', { typtype: 'c', typcategory: 'C' }), '(1,"a b")'],
    [column('int2vector', { typcategory: 'A', element: column('int2') }), '1 2 3'],
  ];
  for (const [type, text] of cases) {
    const fragment = valueConverter(type)(text);
    assert.equal(JSON.parse(fragment), text, type.typname);
    assertOneLine(fragment);
  }
});

test('bytea is hex without the \\x prefix', () => {
  const toJson = valueConverter(column('bytea', { typcategory: 'U' }));
  assert.equal(toJson('\\x0102ff'), '"0102ff"');
  assert.equal(toJson('\\x'), '""');
  // bytea_output=escape text converts to the same hex.
  assert.equal(toJson('a\\\\b\\001\\377'), '"615c6201ff"');
});

test('jsonb is the JSON value itself, big numbers exact', () => {
  const toJson = valueConverter(column('jsonb', { typcategory: 'U' }));
  const cases = [
    '{"a": 1, "b": [true, null], "c": "x"}',
    '[1, "two", {"three": 3.0}]',
    'null',
    '"str"',
    '12345678901234567890.123456789',
    '{"big": 9223372036854775808123}',
    '{"q": "say \\"hi\\"\\n"}',
  ];
  for (const text of cases) {
    assert.equal(toJson(text), text);
    JSON.parse(toJson(text));
  }
});

test('json with raw line breaks becomes one line; strings are untouched', () => {
  const toJson = valueConverter(column('json', { typcategory: 'U' }));
  const text = '{\n  "a" : [1,\r\n\t2 ],\n  "s": "keep  these\\nspaces \\" { \\\\",\n  "n": 12345678901234567890.5\n}\n';
  const fragment = toJson(text);
  assert.equal(fragment, '{"a":[1,2],"s":"keep  these\\nspaces \\" { \\\\","n":12345678901234567890.5}');
  assertOneLine(fragment);
  assert.deepEqual(JSON.parse(fragment), JSON.parse(text));
});

test('json without line breaks keeps its whitespace (it is valid on one line)', () => {
  const toJson = valueConverter(column('json', { typcategory: 'U' }));
  assert.equal(toJson('{"a" :  1,\t"b": "x y"}'), '{"a" :  1,\t"b": "x y"}');
  assert.equal(toJson(' 1 '), ' 1 ');
});

test('record lines built from fragments parse back to the original values', () => {
  const text = valueConverter(column('text'));
  const json = valueConverter(column('json', { typcategory: 'U' }));
  const line = `{"t":${text('line1\nline2')},"j":${json('{\n"k": "v"\n}')}}`;
  assertOneLine(line);
  assert.deepEqual(JSON.parse(line), { t: 'line1\nline2', j: { k: 'v' } });
});
