import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnSchema, schemaToJson, type ConvertOptions, type PgColumnType } from '../../src/values/index.js';
import { compileBothDrafts, PROBES } from '../integration/types-drafts.js';
import { pgType } from '../harness/builders.js';

const column = pgType;

function arrayOf(element: PgColumnType): PgColumnType {
  return column('_' + element.typname, { typcategory: 'A', element, delimiter: ',' });
}

const numericTypmod = (precision: number, scale: number): number => ((precision << 16) | (scale & 0x7ff)) + 4;

/** One column of every schema shape the tap emits. */
const COLUMNS: ReadonlyArray<readonly [string, PgColumnType]> = [
  ...['int2', 'int4', 'int8', 'oid', 'numeric', 'float4', 'float8', 'bool', 'date', 'timestamptz', 'interval', 'json', 'hstore', 'bytea', 'text', 'uuid']
    .map((typname) => [typname, column(typname)] as const),
  ['int8 not null', column('int8', { notNull: true })],
  ['numeric(10,2)', column('numeric', { typmod: numericTypmod(10, 2) })],
  ['numeric(3,5)', column('numeric', { typmod: numericTypmod(3, 5) })],
  ['numeric(5,-2)', column('numeric', { typmod: numericTypmod(5, -2) })],
  ['numeric(40,10)', column('numeric', { typmod: numericTypmod(40, 10) })],
  ['bit(1)', column('bit', { typmod: 1 })],
  ['varchar(3)', column('varchar', { typmod: 7 })],
  ['int4[]', arrayOf(column('int4'))],
  ['numeric(10,2)[]', arrayOf(column('numeric', { typmod: numericTypmod(10, 2) }))],
  ['hstore[]', arrayOf(column('hstore'))],
  [
    'composite',
    column('comp', {
      typtype: 'c',
      attributes: [
        { name: 'a', type: column('int2') },
        { name: 'd', type: column('date') },
        { name: 'n', type: arrayOf(column('numeric', { typmod: numericTypmod(4, 2) })) },
      ],
    }),
  ],
];

/** The shapes a number just past smallint's range must fail: the probes do reach the keywords. */
const REJECT_32768 = ['bit(1)', 'bool', 'bytea', 'composite', 'date', 'hstore', 'hstore[]', 'int2', 'int4[]', 'interval', 'numeric(10,2)[]', 'numeric(3,5)', 'text', 'timestamptz', 'uuid', 'varchar(3)'];

const OPTION_SETS: readonly ConvertOptions[] = [{}, { outOfRange: 'clamp', dateFormat: 'date', jsonForm: 'string' }];

test('every schema shape gives the same verdicts under draft-04 and draft-07 on edge probes', () => {
  let compared = 0;
  for (const options of OPTION_SETS) {
    const properties: Record<string, unknown> = {};
    for (const [label, type] of COLUMNS) {
      const written = schemaToJson(columnSchema(type, options).schema);
      // Only keywords both drafts read alike.
      assert.doesNotMatch(written, /exclusiveM|multipleOf|"const"|"contains"|"if"|propertyNames|\$id|"\$ref"/, label);
      properties[label] = JSON.parse(written) as unknown;
    }
    // One object schema holding every shape: with allErrors each draft names every property it rejects.
    const drafts = compileBothDrafts({ type: 'object', properties });
    for (const probe of [...PROBES, ...PROBES.map((value) => [value]), ...PROBES.map((value) => ({ a: value, d: value, n: [value] }))]) {
      const record = Object.fromEntries(COLUMNS.map(([label]) => [label, probe]));
      const [draft04, draft07] = drafts.failingProperties(record);
      assert.deepEqual(draft04, draft07, `${JSON.stringify(options)}: drafts disagree on ${JSON.stringify(probe)}`);
      if (probe === 32768) assert.deepEqual(draft07, [...REJECT_32768, ...(options.jsonForm === 'string' ? ['json'] : [])].sort());
      compared += COLUMNS.length;
    }
  }
  assert.ok(compared > 3000, `${compared} verdicts compared`);
});

test('float-parsed values at the exact bounds and with decimal scales pass both drafts', () => {
  const accept = (type: PgColumnType, values: readonly unknown[]): void => {
    const drafts = compileBothDrafts(JSON.parse(schemaToJson(columnSchema(type).schema)) as object);
    for (const value of values) assert.deepEqual(drafts.verdicts(value), [true, true], `${type.sqlType} ${String(value)}`);
  };
  // JSON.parse('9223372036854775807') is 2^63 and the bound parses the same way: never stricter.
  accept(column('int8'), [JSON.parse('9223372036854775807'), JSON.parse('-9223372036854775808'), 0]);
  // 0.07 is not a binary multiple of 0.01: a multipleOf 0.01 schema would reject it.
  accept(column('numeric', { typmod: numericTypmod(10, 2), sqlType: 'numeric(10,2)' }), [0.07, 0.29, 99999999.99, -99999999.99, JSON.parse('1234567.89')]);
  accept(column('numeric', { typmod: numericTypmod(40, 10), sqlType: 'numeric(40,10)' }), [JSON.parse('999999999999999999999999999999.9999999999'), 1e-10]);
  const reject = compileBothDrafts(JSON.parse(schemaToJson(columnSchema(column('numeric', { typmod: numericTypmod(10, 2) })).schema)) as object);
  assert.deepEqual(reject.verdicts(100000000), [false, false]);
  assert.deepEqual(reject.verdicts('1.5'), [false, false]);
});
