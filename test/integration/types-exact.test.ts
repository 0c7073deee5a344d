import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { findStream, messagesOfType, records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { runTap } from '../harness/run-cli.js';
import { assertSingerStream } from '../harness/singer-assert.js';
import { createTestDatabase, quoteIdent as quoteDbIdent, type TestDatabase } from '../harness/test-database.js';
import { compileBothDrafts, PROBES } from './types-drafts.js';
import { canonicalNumber, EXPECTATION_SETTINGS, exactRecords, expectedSql, expectedValue, Num, parseExact, quoteIdent } from './types-expected.js';
import { createTableSql, ROWS, SETUP_TYPES, tableColumns, TYPES } from './types-table.js';

const TABLE = 'all_types';
let db: TestDatabase;
let catalog: CatalogJson;
let discoveryLog: string;
let expected: Record<string, unknown>[];
let defaultRun: string;

const streamId = (table: string): string => `${db.name}-public-${table}`;

before(async () => {
  db = await createTestDatabase('types_exact');
  await db.query(SETUP_TYPES + createTableSql(TABLE));
  // The parsed-value form of json: the expectations compare values (the default string form has its own test below).
  const discovered = await runTap(['--config', '@config', '--discover'], { files: { config: db.tapConfig({ json_format: 'value' }) } });
  assert.equal(discovered.code, 0, discovered.stderr);
  catalog = JSON.parse(discovered.stdout) as CatalogJson;
  discoveryLog = discovered.stderr;
  expected = await serverExpectations();
  defaultRun = (await sync()).stdout;
});

after(async () => {
  await db?.close();
});

async function sync(config: Record<string, unknown> = {}): Promise<{ stdout: string; stderr: string; lines: unknown[] }> {
  const selected = selectInCatalog(catalog, { [streamId(TABLE)]: {} });
  const result = await runTap(['--config', '@config', '--catalog', '@catalog'], { files: { config: db.tapConfig(config), catalog: selected } });
  assert.equal(result.code, 0, result.stderr);
  return result;
}

/** Each row as PostgreSQL itself says the tap must write it, from a session with its own settings. */
async function serverExpectations(): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: db.superUrl });
  await client.connect();
  try {
    await client.query(EXPECTATION_SETTINGS);
    const columns = tableColumns();
    const select = columns.map((column) => `(${expectedSql(quoteIdent(column.name), column.family)})::text AS ${quoteIdent(column.name)}`);
    const { rows } = await client.query<Record<string, string>>(`SELECT ${select.join(', ')} FROM ${TABLE} ORDER BY id`);
    return rows.map((row) => Object.fromEntries(columns.map((column) => [column.name, expectedValue(parseExact(row[column.name] as string), column.family)])));
  } finally {
    await client.end();
  }
}

/** RECORD lines without the parts that differ between runs. */
function recordLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('{"type":"RECORD"')).map((line) => line.replace(/,"version":\d+,"time_extracted":"[^"]*"/, ''));
}

test(`every value of ${TYPES.length} types and their arrays equals what PostgreSQL returns for it`, () => {
  const actual = exactRecords(defaultRun);
  assert.equal(actual.length, ROWS);
  let compared = 0;
  actual.forEach((record, index) => {
    const want = expected[index] as Record<string, unknown>;
    assert.deepEqual(Object.keys(record), Object.keys(want));
    for (const [column, value] of Object.entries(want)) {
      assert.deepStrictEqual(record[column], value, `row ${index + 1} column ${column}`);
      compared++;
    }
  });
  assert.equal(compared, ROWS * tableColumns().length);
});

test('every RECORD validates against its SCHEMA, and draft-04 and draft-07 agree on it and on probes', () => {
  const lines = defaultRun.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown);
  assertSingerStream(lines);
  const schema = messagesOfType<{ schema: { properties: Record<string, object> } }>(lines, 'SCHEMA')[0]!.schema;
  const whole = compileBothDrafts(schema);
  for (const record of records(lines)) assert.deepEqual(whole.verdicts(record), [true, true], JSON.stringify(record).slice(0, 300));
  // Each probe in every column at once; allErrors makes each draft name every column it rejects.
  const columns = Object.keys(schema.properties);
  for (const probe of PROBES) {
    const [draft04, draft07] = whole.failingProperties(Object.fromEntries(columns.map((column) => [column, probe])));
    assert.deepEqual(draft04, draft07, `drafts disagree on ${JSON.stringify(probe)}`);
    if (probe === 'x') assert.ok(draft07.includes('c_int8') && !draft07.includes('c_text'), draft07.join());
  }
});

test('sql-datatype is format_type() of the declared type; every column is available', async () => {
  const declared = await db.query<{ attname: string; type: string }>(
    `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = '${TABLE}'::regclass AND attnum > 0 ORDER BY attnum`);
  const entry = findStream(catalog, streamId(TABLE));
  for (const { attname, type } of declared) {
    const metadata = entry.metadata.find((m) => m.breadcrumb[1] === attname)!.metadata;
    assert.equal(metadata['sql-datatype'], type, attname);
    assert.equal(metadata.inclusion, attname === 'id' ? 'automatic' : 'available', attname);
  }
  assert.doesNotMatch(discoveryLog, /unsupported/);
  const properties = (entry.schema as { properties: Record<string, { type: string[] }> }).properties;
  assert.deepEqual(properties.c_nn_text!.type, ['string'], 'a NOT NULL domain is not nullable');
  assert.deepEqual(properties.c_hstore!.type, ['null', 'object']);
});

test('TimeZone America/Los_Angeles, DateStyle SQL, DMY (and other odd settings) give byte-identical RECORDs', async () => {
  const role = `ALTER ROLE tapuser IN DATABASE ${quoteDbIdent(db.name)}`;
  await db.query(`${role} SET TimeZone = 'America/Los_Angeles'; ${role} SET DateStyle = 'SQL, DMY'; ${role} SET IntervalStyle = 'sql_standard';
    ${role} SET extra_float_digits = 0; ${role} SET bytea_output = 'escape'`);
  try {
    const odd = await sync();
    assert.deepEqual(recordLines(odd.stdout), recordLines(defaultRun));
  } finally {
    await db.query(`${role} RESET ALL`);
  }
});

test('out_of_range_values clamp: only out-of-range values change, each column warns once', async () => {
  const clamped = await sync({ out_of_range_values: 'clamp' });
  assertSingerStream(clamped.lines);
  const before = exactRecords(defaultRun);
  const after = exactRecords(clamped.stdout);
  const changed = new Set<string>();
  after.forEach((record, index) => {
    for (const [column, value] of Object.entries(record)) {
      if (JSON.stringify(value) === JSON.stringify(before[index]![column])) continue;
      changed.add(column);
      assert.match(column, /^[ca]_(numeric|numeric_inf|float4|float8|date|ts|tstz|composite|dom_composite)$/, `${column} changed`);
    }
  });
  assert.ok(changed.has('c_float8') && changed.has('c_date') && changed.has('c_tstz') && changed.has('a_ts'), [...changed].join());
  const warned = clamped.stderr.split('\n').filter((line) => line.includes('out_of_range_values')).map((line) => (JSON.parse(line) as { column: string }).column);
  assert.deepEqual([...warned].sort(), [...new Set(warned)].sort(), 'one warning per column');
  for (const column of changed) assert.ok(warned.includes(column), `${column} warned`);
  // Row 1 holds samples[0] (float8 -Infinity, date and timestamp infinity), row 2 samples[1] (float4 Infinity, -infinity).
  assert.deepEqual(after[0]!.c_float8, new Num(canonicalNumber('-1.7976931348623157e+308')));
  assert.deepEqual(after[1]!.c_float4, new Num(canonicalNumber('3.4028235e+38')));
  assert.equal(after[0]!.c_date, '9999-12-31T00:00:00.000000+00:00');
  assert.equal(after[1]!.c_date, '0001-01-01T00:00:00.000000+00:00');
  assert.equal(after[0]!.c_ts, '9999-12-31T23:59:59.999999+00:00');
});

test('date_format date and json_format string (the default) write the server text of dates and json', async () => {
  // The forms are the catalog's: discovered with these settings, the columns' schemas ask for them.
  const config = db.tapConfig({ date_format: 'date' });
  const discovered = await runTap(['--config', '@config', '--discover'], { files: { config } });
  assert.equal(discovered.code, 0, discovered.stderr);
  const selected = selectInCatalog(JSON.parse(discovered.stdout) as CatalogJson, { [streamId(TABLE)]: {} });
  const run = await runTap(['--config', '@config', '--catalog', '@catalog'], { files: { config, catalog: selected } });
  assert.equal(run.code, 0, run.stderr);
  assertSingerStream(run.lines);
  const server = await db.query<{ d: string | null; j: string | null; jb: string | null }>(
    `SELECT CASE WHEN isfinite(c_date) AND c_date BETWEEN '0001-01-01' AND '9999-12-31' THEN to_char(c_date, 'YYYY-MM-DD') END AS d,
       c_json::text AS j, c_jsonb::text AS jb FROM ${TABLE} ORDER BY id`);
  const rows = records(run.lines);
  assert.deepEqual(rows.map((record) => record.c_date), server.map((row) => row.d));
  assert.deepEqual(rows.map((record) => record.c_json), server.map((row) => row.j));
  assert.deepEqual(rows.map((record) => record.c_jsonb), server.map((row) => row.jb));
  const schema = messagesOfType<{ schema: { properties: Record<string, unknown> } }>(run.lines, 'SCHEMA')[0]!.schema.properties;
  assert.deepEqual(schema.c_date, { type: ['null', 'string'], format: 'date' });
  assert.deepEqual(schema.c_jsonb, { type: ['null', 'string'], contentMediaType: 'application/json' });
});
