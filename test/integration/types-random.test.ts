import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { runTap } from '../harness/run-cli.js';
import { seededRandom, testSeed } from '../harness/seeded-random.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';
import { EXPECTATION_SETTINGS, exactRecords, expectedSql, expectedValue, parseExact, quoteIdent, type Family } from './types-expected.js';
import { ValueGenerator } from './types-random-values.js';

/** Rows per run: every family gets this many generated values (TYPES_RANDOM_ROWS to explore more). */
const ROWS = Number(process.env.TYPES_RANDOM_ROWS ?? 3000);
const SEED = testSeed();

const INNER: Family = { composite: [['ts', 'timestamptz'], ['tags', { array: 'text' }], ['note', 'text']] };

/** column, SQL type, expected-value family, generator of PostgreSQL input text. */
const FAMILIES: ReadonlyArray<readonly [string, string, Family, (g: ValueGenerator) => string]> = [
  ['c_int8', 'bigint', 'number', (g) => g.int8()],
  ['c_numeric', 'numeric', 'number', (g) => g.numeric()],
  ['c_float8', 'double precision', 'number', (g) => g.float8()],
  ['c_float4', 'real', 'number', (g) => g.float4()],
  ['c_text', 'text', 'text', (g) => g.text()],
  ['c_text_array', 'text[]', { array: 'text' }, (g) => g.textArray()],
  ['c_tstz', 'timestamptz', 'timestamptz', (g) => g.timestamptz()],
  ['c_ts', 'timestamp', 'timestamp', (g) => g.timestamptz().replace(/[+-]\d\d(:\d\d)?( BC)?$/, '$2')],
  ['c_date', 'date', 'date', (g) => g.date()],
  ['c_interval', 'interval', 'interval', (g) => g.interval()],
  ['c_jsonb', 'jsonb', 'json', (g) => g.json()],
  ['c_json', 'json', 'json', (g) => g.jsonWithWhitespace()],
  ['c_hstore', 'hstore', 'hstore', (g) => g.hstore()],
  ['c_bytea', 'bytea', 'bytea', (g) => g.bytea()],
  ['c_inner', 'inner_t', INNER, (g) => g.innerComposite()],
];

let db: TestDatabase;
let inputs: (string | null)[][];

before(async () => {
  db = await createTestDatabase('types_random');
  await db.query(`CREATE EXTENSION IF NOT EXISTS hstore;
    CREATE TYPE inner_t AS (ts timestamptz, tags text[], note text);
    CREATE TABLE random_values (id int PRIMARY KEY, ${FAMILIES.map(([name, type]) => `${name} ${type}`).join(', ')});
    GRANT SELECT ON random_values TO tapuser;`);
  const generator = new ValueGenerator(seededRandom(SEED));
  // Column-major: one text[] parameter per family, cast by the server from PostgreSQL input text.
  inputs = FAMILIES.map(([, , , generate]) => Array.from({ length: ROWS }, () => (generator.chance(0.03) ? null : generate(generator))));
  const ids = Array.from({ length: ROWS }, (_, i) => i + 1);
  const casts = FAMILIES.map(([, type], i) => `v${i}::${type}`).join(', ');
  const unnest = FAMILIES.map((_, i) => `$${i + 2}::text[]`).join(', ');
  const aliases = FAMILIES.map((_, i) => `v${i}`).join(', ');
  await db.query(`INSERT INTO random_values SELECT id, ${casts} FROM unnest($1::int[], ${unnest}) AS u(id, ${aliases})`, [ids, ...inputs]);
});

after(async () => {
  await db?.close();
});

async function serverExpectations(): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: db.superUrl });
  await client.connect();
  try {
    await client.query(EXPECTATION_SETTINGS);
    const select = FAMILIES.map(([name, , family]) => `(${expectedSql(quoteIdent(name), family)})::text AS ${name}`);
    const { rows } = await client.query<Record<string, string>>(`SELECT ${select.join(', ')} FROM random_values ORDER BY id`);
    return rows.map((row) => Object.fromEntries(FAMILIES.map(([name, , family]) => [name, expectedValue(parseExact(row[name] as string), family)])));
  } finally {
    await client.end();
  }
}

test(`randomized round trip: ${ROWS} generated values per family for ${FAMILIES.length} families, seed ${SEED} (TEST_SEED=${SEED} replays it)`, async () => {
  const config = db.tapConfig({ json_format: 'value' });
  const discovered = await runTap(['--config', '@config', '--discover'], { files: { config } });
  assert.equal(discovered.code, 0, discovered.stderr);
  const catalog = selectInCatalog(JSON.parse(discovered.stdout) as CatalogJson, { [`${db.name}-public-random_values`]: {} });
  const synced = await runTap(['--config', '@config', '--catalog', '@catalog'], { files: { config, catalog } });
  assert.equal(synced.code, 0, synced.stderr);
  const actual = exactRecords(synced.stdout);
  const expected = await serverExpectations();
  assert.equal(actual.length, ROWS);
  actual.forEach((record, row) => {
    FAMILIES.forEach(([name], family) => {
      const input = inputs[family]![row];
      assert.deepStrictEqual(record[name], expected[row]![name], `seed ${SEED}, id ${row + 1}, ${name}, input ${JSON.stringify(input)}`);
    });
  });
});
