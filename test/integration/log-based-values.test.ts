import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import type { TestDatabase } from '../harness/test-database.js';
import { exactRecords, lastState, logBasedDatabase, syncOk } from './log-based-helpers.js';

/**
 * A value is identical whichever way it travelled: the row as the initial copy (COPY) wrote it
 * and as wal2json delivered it after an update that changed nothing else must be the same
 * record, number text included, for every kind of column, whatever the database's own
 * DateStyle, TimeZone, IntervalStyle, extra_float_digits and bytea_output.
 */
let db: TestDatabase;
let catalog: CatalogJson;

const COLUMNS: [string, string, string][] = [
  ['c_int2', 'int2', '-32768'],
  ['c_int4', 'int4', '2147483647'],
  ['c_int8', 'int8', '-9223372036854775808'],
  ['c_oid', 'oid', '4294967295'],
  ['c_numeric', 'numeric(40,10)', '123456789012345678901234567890.0123456789'],
  ['c_numeric_free', 'numeric', '-0.000000000000000000000000000000000001'],
  ['c_float4', 'float4', '1.1'],
  ['c_float8', 'float8', '0.1'],
  ['c_float8_big', 'float8', '1.7976931348623157e308'],
  ['c_bool', 'bool', 'false'],
  ['c_text', 'text', 'a "quoted" \\ back\\slash, 123 -4.5e6 {x} \n newline ☃'],
  ['c_varchar', 'varchar(10)', '0123'],
  ['c_char', 'char(5)', 'ab'],
  ['c_bytea', 'bytea', '\\x00ff10'],
  ['c_date', 'date', '2024-02-29'],
  ['c_time', 'time', '23:59:59.999999'],
  ['c_timetz', 'timetz', '01:02:03.000004+05:30'],
  ['c_ts', 'timestamp', '2000-01-01 00:00:00.000001'],
  ['c_tstz', 'timestamptz', '1999-12-31 23:59:59.999999-08'],
  ['c_ts_inf', 'timestamptz', 'infinity'],
  ['c_interval', 'interval', '1 year 2 mons 3 days 04:05:06.000007'],
  ['c_json', 'json', '{"b": [1, 2.50, 12345678901234567890], "a": "x"}'],
  ['c_jsonb', 'jsonb', '{"n": 1.000000000000000000001, "s": "\\"q\\""}'],
  ['c_uuid', 'uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  ['c_inet', 'inet', '192.168.0.1/24'],
  ['c_macaddr', 'macaddr', '08:00:2b:01:02:03'],
  ['c_money', 'money', '1234.56'],
  ['c_bit1', 'bit(1)', '1'],
  ['c_varbit', 'varbit', '10101'],
  ['c_int_array', 'int[]', '{{1,2},{3,NULL}}'],
  ['c_text_array', 'text[]', '{"a,b","c\\"d",NULL,"NULL"}'],
  ['c_numeric_array', 'numeric[]', '{1.10,12345678901234567890.5}'],
  ['c_range', 'int4range', '[1,10)'],
  ['c_tstzrange', 'tstzrange', '["2024-01-01 00:00:00+00",infinity)'],
  ['c_point', 'point', '(1.5,-2)'],
  ['c_tsvector', 'tsvector', 'fat:2 rat:3'],
  ['c_enum', 'mood', 'happy'],
  ['c_domain', 'price', '10.50'],
  ['c_composite', 'pair', '(7,"x y")'],
  ['c_xml', 'xml', '<a b="1">t</a>'],
  ['c_numeric_nan', 'numeric', 'NaN'],
  ['c_float8_inf', 'float8', '-Infinity'],
  ['c_float4_nan', 'float4', 'NaN'],
  ['c_null', 'text', 'NULL'],
];

before(async () => {
  db = await logBasedDatabase('log_based_values');
  await db.query(`
    CREATE TYPE mood AS ENUM ('sad', 'happy');
    CREATE DOMAIN price AS numeric(10,2) CHECK (VALUE >= 0);
    CREATE TYPE pair AS (n int, s text);
    CREATE TABLE vals (id int PRIMARY KEY, touch int, ${COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')});
    GRANT SELECT ON vals TO tapuser;
  `);
  // Odd database defaults: the tap's sessions (the replication one included) must not see them.
  await db.query(`ALTER DATABASE ${db.name} SET DateStyle = 'SQL, DMY'; ALTER DATABASE ${db.name} SET TimeZone = 'Asia/Kolkata';
    ALTER DATABASE ${db.name} SET IntervalStyle = 'sql_standard'; ALTER DATABASE ${db.name} SET extra_float_digits = -3;
    ALTER DATABASE ${db.name} SET bytea_output = 'escape'`);
  const values = COLUMNS.filter(([, , value]) => value !== 'NULL');
  await db.query(`INSERT INTO vals VALUES (1, 0, ${COLUMNS.map(([name, type, value]) => (value === 'NULL' ? 'NULL' : `$${values.findIndex(([n]) => n === name) + 1}::${type}`)).join(', ')})`,
    values.map(([, , value]) => value));
  catalog = await discoverCatalog(db.tapConfig());
});

after(async () => {
  await db?.close();
});

test('every column type: the streamed record equals the copied record, value for value (NaN/Infinity: null both ways by default)', async () => {
  const selected = selectInCatalog(catalog, { [`${db.name}-public-vals`]: { method: 'LOG_BASED' } });
  const first = await syncOk(db, selected);
  const copied = exactRecords(first, 'vals');
  assert.equal(copied.length, 1);
  assert.equal(copied[0]!.c_tstz, '2000-01-01T07:59:59.999999+00:00', 'UTC ISO text despite the database defaults');
  assert.equal(copied[0]!.c_bytea, '00ff10');
  await db.query('UPDATE vals SET touch = 1');
  const second = await syncOk(db, selected, lastState(first));
  const streamed = exactRecords(second, 'vals');
  assert.equal(streamed.length, 1);
  const { touch: _t1, _sdc_deleted_at: deletedAt, ...fromStream } = streamed[0]!;
  const { touch: _t2, _sdc_deleted_at: _d, ...fromCopy } = copied[0]!;
  assert.equal(deletedAt, null);
  const differences = Object.keys(fromCopy).filter((k) => JSON.stringify(fromCopy[k]) !== JSON.stringify(fromStream[k]))
    .map((k) => `${k}: copy ${JSON.stringify(fromCopy[k])} vs stream ${JSON.stringify(fromStream[k])}`);
  assert.deepEqual(differences, [], differences.join('\n'));
  assert.deepEqual(Object.keys(fromStream), Object.keys(fromCopy));
});
