import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toColumnType } from '../../src/postgres/catalog/column-type.js';
import type { RawColumn, RawType } from '../../src/postgres/catalog/introspection.js';
import { typeKind } from '../../src/values/index.js';

/** A pg_type row with the defaults of a plain base type. */
function type(oid: number, typname: string, extra: Partial<RawType> = {}): RawType {
  return { oid, typname, typtype: 'b', typcategory: 'U', typdelim: ',', base_oid: 0, typtypmod: -1, typnotnull: false, elem_oid: 0, attributes: null, ...extra };
}

const NUMERIC_10_2 = ((10 << 16) | 2) + 4;

const TYPES: ReadonlyMap<number, RawType> = new Map(
  [
    type(23, 'int4', { typcategory: 'N' }),
    type(1700, 'numeric', { typcategory: 'N' }),
    type(25, 'text', { typcategory: 'S' }),
    type(603, 'box', { typcategory: 'G', typdelim: ';' }),
    type(1020, '_box', { typcategory: 'A', elem_oid: 603 }),
    type(1007, '_int4', { typcategory: 'A', elem_oid: 23 }),
    type(22, 'int2vector', { typcategory: 'A', elem_oid: 21 }),
    // price AS numeric(10,2) NOT NULL; price2 AS price; _price2 its array; intarr AS int[]
    type(9001, 'price', { typtype: 'd', base_oid: 1700, typtypmod: NUMERIC_10_2, typnotnull: true }),
    type(9002, 'price2', { typtype: 'd', base_oid: 9001 }),
    type(9003, '_price2', { typcategory: 'A', elem_oid: 9002 }),
    type(9004, 'intarr', { typtype: 'd', base_oid: 1007 }),
    // pair AS (a price2, b text[])
    type(9005, 'pair', {
      typtype: 'c',
      typcategory: 'C',
      attributes: [
        { name: 'a', type_oid: 9002, typmod: -1, sql_type: 'price2' },
        { name: 'b', type_oid: 1009, typmod: -1, sql_type: 'text[]' },
      ],
    }),
    type(1009, '_text', { typcategory: 'A', elem_oid: 25 }),
  ].map((row) => [row.oid, row]),
);

function column(typeOid: number, sqlType: string, extra: Partial<RawColumn> = {}): RawColumn {
  return { rel_oid: 1, name: 'c', position: 1, sql_type: sqlType, not_null: false, type_oid: typeOid, typmod: -1, can_select: true, types: TYPES, ...extra };
}

test('domains resolve to their base type through any depth, keeping the declared name, typmod and NOT NULL', () => {
  const resolved = toColumnType(column(9002, 'price2'));
  assert.equal(resolved.sqlType, 'price2');
  assert.equal(resolved.typname, 'numeric');
  assert.equal(resolved.typmod, NUMERIC_10_2);
  assert.equal(resolved.notNull, true);
  assert.equal(typeKind(resolved), 'numeric');
});

test('array elements resolve through domains, take the array typmod and are always nullable', () => {
  const resolved = toColumnType(column(9003, 'price2[]', { not_null: true }));
  assert.equal(typeKind(resolved), 'array');
  assert.equal(resolved.notNull, true);
  assert.equal(resolved.element?.sqlType, 'price2');
  assert.equal(resolved.element?.typname, 'numeric');
  assert.equal(resolved.element?.typmod, NUMERIC_10_2);
  assert.equal(resolved.element?.notNull, false);
});

test('a domain over an array is an array; box arrays carry the ; delimiter; int2vector is not an array', () => {
  const intarr = toColumnType(column(9004, 'intarr'));
  assert.equal(typeKind(intarr), 'array');
  assert.equal(intarr.element?.typname, 'int4');
  assert.equal(toColumnType(column(1020, 'box[]')).delimiter, ';');
  assert.equal(typeKind(toColumnType(column(22, 'int2vector'))), 'string');
});

test('composites carry their attributes, each resolved and nullable', () => {
  const resolved = toColumnType(column(9005, 'pair'));
  assert.equal(typeKind(resolved), 'composite');
  assert.deepEqual(resolved.attributes?.map((attribute) => [attribute.name, attribute.type.typname, attribute.type.notNull]), [
    ['a', 'numeric', false],
    ['b', '_text', false],
  ]);
  assert.equal(resolved.attributes?.[1]?.type.element?.typname, 'text');
});

test('a type missing from the catalog snapshot (dropped meanwhile) is still synced as its text', () => {
  const resolved = toColumnType(column(424242, 'gone_type'));
  assert.equal(resolved.typname, 'unknown');
  assert.equal(typeKind(resolved), 'string');
});
