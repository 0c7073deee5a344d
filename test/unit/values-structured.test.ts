import { test } from 'node:test';
import assert from 'node:assert/strict';
import { valueConverter, type PgColumnType } from '../../src/values/index.js';
import { pgType } from '../harness/builders.js';

const column = pgType;

function composite(attributes: Record<string, PgColumnType>): PgColumnType {
  return column('comp', { typtype: 'c', typcategory: 'C', attributes: Object.entries(attributes).map(([name, type]) => ({ name, type })) });
}

function arrayOf(element: PgColumnType): PgColumnType {
  return column('_' + element.typname, { typcategory: 'A', element, delimiter: ',' });
}

test('hstore is an object: escapes, NULL values, quoted "NULL", empty', () => {
  const toJson = valueConverter(column('hstore'));
  assert.equal(toJson(''), '{}');
  assert.equal(toJson('"a"=>"1", "b"=>NULL'), '{"a":"1","b":null}');
  assert.equal(toJson('"NULL"=>"NULL"'), '{"NULL":"NULL"}');
  const text = String.raw`"k\"q"=>"back\\slash", "=>, "=>"", "é ✓"=>"line
break"`;
  assert.deepEqual(JSON.parse(toJson(text)), { 'k"q': 'back\\slash', '=>, ': '', 'é ✓': 'line\nbreak' });
  for (const bad of ['"a"', '"a"=>', '"a"=>"1",', 'a=>1', '"a"=>"1" "b"=>"2"']) {
    assert.throws(() => toJson(bad), /malformed hstore/, bad);
  }
});

test('hstore arrays: elements are quoted hstore texts', () => {
  const toJson = valueConverter(arrayOf(column('hstore')));
  assert.equal(toJson(String.raw`{"\"a\"=>\"1\"",NULL,""}`), '[{"a":"1"},null,{}]');
});

test('composites are objects: NULL fields, quoted fields, doubled quotes and backslashes', () => {
  const toJson = valueConverter(composite({ n: column('int4'), t: column('text'), z: column('text') }));
  assert.equal(toJson('(1,"a b",)'), '{"n":1,"t":"a b","z":null}');
  assert.equal(toJson('(,,)'), '{"n":null,"t":null,"z":null}');
  assert.equal(toJson('(2,"","")'), '{"n":2,"t":"","z":""}');
  assert.deepEqual(JSON.parse(toJson(String.raw`(3,"say ""hi"", \\o/","(x)")`)), { n: 3, t: 'say "hi", \\o/', z: '(x)' });
  // record_in also accepts backslash escapes and partly quoted fields.
  assert.deepEqual(JSON.parse(toJson(String.raw`(4,a\,b,x"y z"w)`)), { n: 4, t: 'a,b', z: 'xy zw' });
  for (const bad of ['', '(1,a)', '(1,a,b', '(1,a,b)x', '1,a,b', '(1,"a,b)']) {
    assert.throws(() => toJson(bad), /malformed PostgreSQL composite/, bad);
  }
  assert.equal(valueConverter(composite({}))('()'), '{}');
  assert.equal(valueConverter(composite({ only: column('text') }))('()'), '{"only":null}');
});

test('composites nest and hold arrays, timestamps, json and numbers exactly', () => {
  const inner = composite({ ts: column('timestamptz'), tags: arrayOf(column('text')) });
  const outer = composite({ big: column('numeric'), inner, j: column('jsonb'), d: column('date') });
  const text = `(12345678901234567890.123456789,"(""2021-03-04 05:06:07.5+00"",""{a,""""b c"""",NULL}"")","{""k"": [1, 2.50]}",infinity)`;
  assert.equal(
    valueConverter(outer)(text),
    '{"big":12345678901234567890.123456789,"inner":{"ts":"2021-03-04T05:06:07.500000+00:00","tags":["a","b c",null]},"j":{"k": [1, 2.50]},"d":null}',
  );
});

test('composite arrays: each element is a record text', () => {
  const toJson = valueConverter(arrayOf(composite({ n: column('int4'), t: column('text') })));
  assert.equal(toJson(String.raw`{"(1,a)","(2,\"b \"\"c\"\"\")",NULL}`), '[{"n":1,"t":"a"},{"n":2,"t":"b \\"c\\""},null]');
});
