import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnSchema, ExactNumber, schemaToJson, type PgColumnType } from '../../src/values/index.js';
import { pgType } from '../harness/builders.js';

const column = pgType;

function arrayColumn(element: string, extra: Partial<PgColumnType> = {}, elementExtra: Partial<PgColumnType> = {}): PgColumnType {
  const typmod = extra.typmod ?? -1;
  return column(`_${element}`, { sqlType: `${element}[]`, typcategory: 'A', element: column(element, { typmod, ...elementExtra }), ...extra });
}

/** numeric(p,s)'s atttypmod. */
function numericTypmod(precision: number, scale: number): number {
  return ((precision << 16) | (scale & 0x7ff)) + 4;
}

/** The schema as it will be written, parsed back (bounds become doubles here). */
function written(type: PgColumnType): string {
  const result = columnSchema(type);
  assert.equal(result.inclusion, 'available');
  return schemaToJson(result.schema);
}

test('schemaToJson writes int8 bounds exactly', () => {
  assert.equal(
    written(column('int8', { notNull: true })),
    '{"type":["integer"],"minimum":-9223372036854775808,"maximum":9223372036854775807}',
  );
  assert.equal(
    written(column('int8')),
    '{"type":["null","integer"],"minimum":-9223372036854775808,"maximum":9223372036854775807}',
  );
});

test('schemaToJson is JSON.stringify for ordinary values, ExactNumber anywhere', () => {
  const value = { a: [1, 'x', null, true, undefined], b: undefined, c: { d: new ExactNumber('1.000000000000000000001') }, e: 'q"' };
  assert.equal(schemaToJson(value), '{"a":[1,"x",null,true,null],"c":{"d":1.000000000000000000001},"e":"q\\""}');
  assert.throws(() => new ExactNumber('1e'), /not a JSON number/);
  assert.throws(() => new ExactNumber('NaN'), /not a JSON number/);
  // Plain JSON.stringify falls back to the nearest double.
  assert.equal(JSON.stringify({ m: new ExactNumber('0.5') }), '{"m":0.5}');
});

test('small integers carry their bounds', () => {
  assert.equal(written(column('int2')), '{"type":["null","integer"],"minimum":-32768,"maximum":32767}');
  assert.equal(written(column('int4', { notNull: true })), '{"type":["integer"],"minimum":-2147483648,"maximum":2147483647}');
  assert.equal(written(column('oid')), '{"type":["null","integer"],"minimum":0,"maximum":4294967295}');
});

test('numeric(p,s) has inclusive exact bounds and scale annotations, never multipleOf', () => {
  assert.equal(
    written(column('numeric', { sqlType: 'numeric(10,2)', typmod: numericTypmod(10, 2) })),
    '{"type":["null","number"],"minimum":-99999999.99,"maximum":99999999.99,"x-sql-precision":10,"x-sql-scale":2}',
  );
  const maximumText = (p: number, s: number): string =>
    /"maximum":([^,]+),/.exec(written(column('numeric', { typmod: numericTypmod(p, s) })))?.[1] ?? '';
  assert.equal(maximumText(5, 0), '99999');
  assert.equal(maximumText(2, 2), '0.99');
  assert.equal(maximumText(3, 5), '0.00999');
  assert.equal(maximumText(3, -2), '99900');
  assert.equal(maximumText(38, 10), '9999999999999999999999999999.9999999999');
  assert.match(written(column('numeric', { typmod: numericTypmod(3, -2) })), /"minimum":-99900,.*"x-sql-scale":-2\}$/);
  const schema = columnSchema(column('numeric', { typmod: numericTypmod(12, 4) })).schema;
  assert.equal(schema.multipleOf, undefined);
  assert.equal(schema.exclusiveMaximum, undefined);
  assert.equal(schema.exclusiveMinimum, undefined);
  assert.equal(schema['x-sql-scale'], 4);
});

test('unconstrained numeric and floats are plain numbers', () => {
  assert.equal(written(column('numeric')), '{"type":["null","number"]}');
  assert.equal(written(column('float4')), '{"type":["null","number"]}');
  // NaN is written as null, so even a NOT NULL float or numeric column is nullable in the schema.
  assert.equal(written(column('float8', { notNull: true })), '{"type":["null","number"]}');
  assert.equal(written(column('numeric', { notNull: true })), '{"type":["null","number"]}');
});

test('booleans, bit(1), dates and timestamps', () => {
  assert.equal(written(column('bool')), '{"type":["null","boolean"]}');
  assert.equal(written(column('bit', { typmod: 1 })), '{"type":["null","boolean"]}');
  assert.equal(written(column('bit', { typmod: 3 })), '{"type":["null","string"]}');
  for (const typname of ['date', 'timestamp', 'timestamptz']) {
    assert.equal(written(column(typname)), '{"type":["null","string"],"format":"date-time"}');
  }
  // infinity is written as null unless out_of_range_values is 'clamp'.
  assert.equal(written(column('timestamptz', { notNull: true })), '{"type":["null","string"],"format":"date-time"}');
  const clamp = columnSchema(column('timestamptz', { notNull: true }), { outOfRange: 'clamp' });
  assert.equal(schemaToJson(clamp.schema), '{"type":["string"],"format":"date-time"}');
  assert.equal(schemaToJson(columnSchema(column('date', { notNull: true }), { outOfRange: 'clamp' }).schema), '{"type":["string"],"format":"date-time"}');
});

test('strings: text-like types, no uuid format, varchar/char maxLength', () => {
  for (const typname of ['text', 'uuid', 'time', 'timetz', 'interval', 'bytea', 'inet', 'money', 'xml', 'citext', 'ltree', 'unknown_ext']) {
    assert.equal(written(column(typname)), '{"type":["null","string"]}', typname);
  }
  assert.equal(written(column('mood', { typtype: 'e', typcategory: 'E' })), '{"type":["null","string"]}');
  assert.equal(written(column('int4range', { typtype: 'r', typcategory: 'R' })), '{"type":["null","string"]}');
  assert.equal(written(column('varchar', { typmod: 24 })), '{"type":["null","string"],"maxLength":20}');
  assert.equal(written(column('bpchar', { typmod: 5, notNull: true })), '{"type":["string"],"maxLength":1}');
  assert.equal(written(column('varchar')), '{"type":["null","string"]}');
});

test('json and jsonb accept any JSON value', () => {
  assert.equal(written(column('jsonb')), '{"type":["null","object","array","string","number","integer","boolean"]}');
  assert.equal(written(column('json', { notNull: true })), '{"type":["object","array","string","number","integer","boolean"]}');
});

test('arrays: items are the nullable element or a nested array', () => {
  assert.equal(written(arrayColumn('int4')), '{"type":["null","array"],"items":{"type":["null","integer","array"],"minimum":-2147483648,"maximum":2147483647}}');
  assert.equal(written(arrayColumn('int8', { notNull: true })), '{"type":["array"],"items":{"type":["null","integer","array"],"minimum":-9223372036854775808,"maximum":9223372036854775807}}');
  assert.equal(written(arrayColumn('timestamptz')), '{"type":["null","array"],"items":{"type":["null","string","array"],"format":"date-time"}}');
  assert.equal(written(arrayColumn('text')), '{"type":["null","array"],"items":{"type":["null","string","array"]}}');
  assert.equal(
    written(arrayColumn('numeric', { typmod: numericTypmod(10, 2) })),
    '{"type":["null","array"],"items":{"type":["null","number","array"],"minimum":-99999999.99,"maximum":99999999.99,"x-sql-precision":10,"x-sql-scale":2}}',
  );
  assert.equal(written(arrayColumn('jsonb')), '{"type":["null","array"],"items":{"type":["null","object","array","string","number","integer","boolean"]}}');
  assert.equal(written(arrayColumn('mood', {}, { typtype: 'e' })), '{"type":["null","array"],"items":{"type":["null","string","array"]}}');
});

test('int2vector is a string, not an array', () => {
  assert.equal(written(column('int2vector', { typcategory: 'A', element: column('int2') })), '{"type":["null","string"]}');
});

test('pseudo-types are unsupported with a reason', () => {
  const result = columnSchema(column('anyelement', { typtype: 'p', typcategory: 'P' }));
  assert.equal(result.inclusion, 'unsupported');
  assert.match(result.reason ?? '', /pseudo-type/);
});

test('an anonymous record column (a view over ROW(...)) is unsupported with a hint', () => {
  const result = columnSchema(column('record', { typtype: 'p', typcategory: 'P', sqlType: 'record' }));
  assert.equal(result.inclusion, 'unsupported');
  assert.match(result.reason ?? '', /anonymous record.*named composite/);
});

test('date_format date gives format date, for arrays too', () => {
  assert.equal(schemaToJson(columnSchema(column('date'), { dateFormat: 'date' }).schema), '{"type":["null","string"],"format":"date"}');
  assert.equal(
    schemaToJson(columnSchema(arrayColumn('date'), { dateFormat: 'date' }).schema),
    '{"type":["null","array"],"items":{"type":["null","string","array"],"format":"date"}}',
  );
});

test('json_format string makes json and jsonb (and their arrays) strings of JSON text; object is exactly [null, object, array]; numeric_as_string makes numbers strings', () => {
  assert.equal(schemaToJson(columnSchema(column('jsonb'), { jsonForm: 'string' }).schema), '{"type":["null","string"],"contentMediaType":"application/json"}');
  assert.equal(schemaToJson(columnSchema(column('json', { notNull: true }), { jsonForm: 'string' }).schema), '{"type":["string"],"contentMediaType":"application/json"}');
  assert.equal(schemaToJson(columnSchema(arrayColumn('json'), { jsonForm: 'string' }).schema), '{"type":["null","array"],"items":{"type":["null","string","array"],"contentMediaType":"application/json"}}');
  assert.equal(schemaToJson(columnSchema(column('jsonb', { notNull: true }), { jsonForm: 'object' }).schema), '{"type":["null","object","array"]}');
  assert.equal(schemaToJson(columnSchema(column('numeric', { typmod: numericTypmod(12, 2) }), { numberAsString: true }).schema), '{"type":["null","string"],"x-sql-precision":12,"x-sql-scale":2}');
  assert.equal(schemaToJson(columnSchema(column('float8'), { numberAsString: true }).schema), '{"type":["null","string"]}');
});

test('hstore is an object of nullable strings', () => {
  assert.equal(written(column('hstore')), '{"type":["null","object"],"additionalProperties":{"type":["null","string"]}}');
  assert.equal(written(column('hstore', { notNull: true })), '{"type":["object"],"additionalProperties":{"type":["null","string"]}}');
});

test('composites are objects of their attributes, always nullable, nested and in arrays', () => {
  const inner = column('inner_t', {
    typtype: 'c',
    typcategory: 'C',
    attributes: [{ name: 'ts', type: column('timestamptz') }, { name: 'tags', type: arrayColumn('text') }],
  });
  const outer = column('outer_t', {
    typtype: 'c',
    typcategory: 'C',
    notNull: true,
    attributes: [{ name: 'n', type: column('int4') }, { name: 'in"ner', type: inner }, { name: 'h', type: column('hstore') }],
  });
  assert.equal(
    written(outer),
    '{"type":["object"],"properties":{"n":{"type":["null","integer"],"minimum":-2147483648,"maximum":2147483647},' +
      '"in\\"ner":{"type":["null","object"],"properties":{"ts":{"type":["null","string"],"format":"date-time"},' +
      '"tags":{"type":["null","array"],"items":{"type":["null","string","array"]}}}},' +
      '"h":{"type":["null","object"],"additionalProperties":{"type":["null","string"]}}}}',
  );
  const array = column('_inner_t', { typcategory: 'A', sqlType: 'inner_t[]', element: inner });
  assert.match(written(array), /^\{"type":\["null","array"\],"items":\{"type":\["null","object","array"\],"properties":\{"ts":/);
  const withUnsupported = column('bad_t', { typtype: 'c', attributes: [{ name: 'r', type: column('record', { typtype: 'p' }) }] });
  assert.equal(columnSchema(withUnsupported).inclusion, 'unsupported');
});

test('a composite attribute called __proto__ stays an attribute', () => {
  const type = column('odd_t', { typtype: 'c', attributes: [{ name: '__proto__', type: column('text') }] });
  assert.equal(written(type), '{"type":["null","object"],"properties":{"__proto__":{"type":["null","string"]}}}');
});
