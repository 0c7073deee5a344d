import { test } from 'node:test';
import assert from 'node:assert/strict';
import { valueConverter, type PgColumnType } from '../../src/values/index.js';

function arrayColumn(element: string, extra: Partial<PgColumnType> = {}, elementExtra: Partial<PgColumnType> = {}): PgColumnType {
  const typmod = extra.typmod ?? -1;
  return {
    sqlType: `${element}[]`,
    typname: `_${element}`,
    typtype: 'b',
    typcategory: 'A',
    typmod,
    notNull: false,
    element: { sqlType: element, typname: element, typtype: 'b', typcategory: 'X', typmod, notNull: false, ...elementExtra },
    delimiter: element === 'box' ? ';' : ',',
    ...extra,
  };
}

function convert(element: string, text: string, extra: Partial<PgColumnType> = {}, elementExtra: Partial<PgColumnType> = {}): string {
  return valueConverter(arrayColumn(element, extra, elementExtra))(text);
}

test('integer arrays: flat, empty, nested, NULL elements, explicit bounds', () => {
  assert.equal(convert('int4', '{1,2,3}'), '[1,2,3]');
  assert.equal(convert('int4', '{}'), '[]');
  assert.equal(convert('int4', '{{1,2},{3,4}}'), '[[1,2],[3,4]]');
  assert.equal(convert('int4', '{{{1},{2}},{{3},{4}}}'), '[[[1],[2]],[[3],[4]]]');
  assert.equal(convert('int4', '{NULL,5}'), '[null,5]');
  assert.equal(convert('int4', '[0:1]={1,2}'), '[1,2]');
  assert.equal(convert('int4', '[1:2][-1:0]={{1,2},{3,4}}'), '[[1,2],[3,4]]');
  assert.equal(convert('int8', '{9223372036854775807,-9223372036854775808}'), '[9223372036854775807,-9223372036854775808]');
});

test('numeric arrays keep every digit; NaN is null', () => {
  const fragment = convert('numeric', '{12345678901234567890.123456789,-0.50,0.00,NaN}', { typmod: -1 });
  assert.equal(fragment, '[12345678901234567890.123456789,-0.50,0.00,null]');
  JSON.parse(fragment);
});

test('float and bool arrays', () => {
  assert.equal(convert('float8', '{1e+30,-0,NaN,Infinity,0.1}'), '[1e+30,-0,null,null,0.1]');
  assert.equal(convert('bool', '{t,f,NULL}'), '[true,false,null]');
});

test('text arrays: quoted NULL is a string, unquoted NULL is null', () => {
  const fragment = convert('text', '{"a b","c\\"d",NULL,"NULL",null,plain}');
  assert.deepEqual(JSON.parse(fragment), ['a b', 'c"d', null, 'NULL', null, 'plain']);
});

test('text arrays: commas, braces, backslashes, empty strings, unicode, line breaks', () => {
  const text = '{"x,y","{z}","back\\\\slash","",é✓😀,"line1\nline2","tab\there"," lead"}';
  const fragment = convert('text', text);
  assert.ok(!/[\n\r]/.test(fragment));
  assert.deepEqual(JSON.parse(fragment), ['x,y', '{z}', 'back\\slash', '', 'é✓😀', 'line1\nline2', 'tab\there', ' lead']);
  assert.deepEqual(JSON.parse(convert('text', '{{a,"b c"},{NULL,"}"}}')), [['a', 'b c'], [null, '}']]);
});

test('varchar, uuid and enum arrays are strings', () => {
  assert.deepEqual(JSON.parse(convert('varchar', '{abc,"d e"}', { typmod: 14 })), ['abc', 'd e']);
  assert.deepEqual(
    JSON.parse(convert('uuid', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}')),
    ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', null],
  );
  assert.deepEqual(JSON.parse(convert('mood', '{happy,sad}', {}, { typtype: 'e' })), ['happy', 'sad']);
});

test('timestamptz, timestamp and date arrays go through the temporal converters', () => {
  assert.equal(
    convert('timestamptz', '{"2021-03-04 05:06:07.1+00",NULL,infinity,"1999-12-31 23:59:59.999999-08"}'),
    '["2021-03-04T05:06:07.100000+00:00",null,null,"2000-01-01T07:59:59.999999+00:00"]',
  );
  assert.equal(convert('timestamp', '{"2021-03-04 05:06:07"}'), '["2021-03-04T05:06:07.000000+00:00"]');
  assert.equal(convert('date', '{2021-03-04,-infinity}'), '["2021-03-04T00:00:00.000000+00:00",null]');
});

test('jsonb arrays hold JSON values', () => {
  const fragment = convert('jsonb', '{"{\\"a\\": 1, \\"b\\": [true, null]}","[1, 2]","null",NULL,"\\"s\\"",12345678901234567890}');
  assert.equal(fragment, '[{"a": 1, "b": [true, null]},[1, 2],null,null,"s",12345678901234567890]');
  assert.deepEqual(JSON.parse(fragment), [{ a: 1, b: [true, null] }, [1, 2], null, null, 's', 12345678901234567890]);
});

test('json arrays with line breaks inside elements become one line', () => {
  const fragment = convert('json', '{"{\n  \\"a\\": \\"x\\\\ny\\"\n}"}');
  assert.equal(fragment, '[{"a":"x\\ny"}]');
});

test('bytea arrays are hex strings', () => {
  assert.equal(convert('bytea', '{"\\\\x0102ff","\\\\x"}'), '["0102ff",""]');
});

test('box arrays use the ; delimiter', () => {
  assert.deepEqual(JSON.parse(convert('box', '{(1,1),(0,0);(2,2),(1,1)}')), ['(1,1),(0,0)', '(2,2),(1,1)']);
});

test('malformed array text throws instead of emitting bad JSON', () => {
  for (const text of ['', '{1,2', '{1,2}x', '1,2', '{"a}']) {
    assert.throws(() => convert('int4', text), /malformed PostgreSQL array literal/, text);
  }
});
