import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { messagesOfType, records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import { assertSingerStream } from '../harness/singer-assert.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

let db: TestDatabase;
let catalog: CatalogJson;
const id = (table: string): string => `${db.name}-public-${table}`;

before(async () => {
  db = await createTestDatabase('full_table');
  await db.query(`
    CREATE TABLE exact (
      id bigint PRIMARY KEY, big bigint, n numeric, n2 numeric(12,2), ts timestamptz, tsn timestamp, d date,
      j jsonb, js json, t text, u uuid, f boolean, r real, dp double precision, si smallint, ia int[], ta text[]);
    INSERT INTO exact VALUES
      (1, 9223372036854775807, 12345678901234567890.123456789, 1234567890.12, '2021-03-04 05:06:07.123456+00',
       '2021-03-04 05:06:07.000001', '2021-03-04', '{"a": 1, "big": 123456789012345678901234567890.5}',
       '{"x":\n [1, 2]}', E'tab\\there "quoted" \\\\ back\\nslash é ✓', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true,
       3.4028235e38, 0.1, 32767, '{1,NULL,3}', '{"a,b","c\\"d",NULL}'),
      (2, -9223372036854775808, -0.000000000000000000001, -0.50, '1999-12-31 23:59:59.999999-08', '1970-01-01 00:00:00',
       '1970-01-01', '[]', 'null', '', '00000000-0000-0000-0000-000000000000', false, -1.5, 1e300, -32768, '{}', '{}'),
      (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    CREATE TABLE "Mixed Case" ("Weird ""col"" name" int PRIMARY KEY, "has space" text);
    INSERT INTO "Mixed Case" VALUES (1, 'one'), (2, 'two');
    CREATE TABLE partial (id int PRIMARY KEY, name text, note text);
    INSERT INTO partial VALUES (1, 'a', 'hidden');
    CREATE VIEW exact_view AS SELECT id, t FROM exact;
    GRANT SELECT ON exact, "Mixed Case", partial, exact_view TO tapuser;
  `);
  // json as parsed values here (the default string form is tested with the types).
  catalog = await discoverCatalog(db.tapConfig({ json_format: 'value' }));
});

after(async () => {
  await db?.close();
});

async function sync(selected: CatalogJson, state?: unknown, config = db.tapConfig()) {
  const result = await runSync(config, selected, state);
  assert.equal(result.code, 0, result.stderr);
  return result;
}

test('full table sync writes exact bigint, numeric and microsecond timestamps', async () => {
  const result = await sync(selectInCatalog(catalog, { [id('exact')]: {} }));
  const line = result.stdout.split('\n').find((l) => l.includes('"record":{"id":1,'));
  assert.ok(line, 'record 1 on stdout');
  assert.ok(line.includes('"big":9223372036854775807,'), line);
  assert.ok(line.includes('"n":12345678901234567890.123456789,'), line);
  assert.ok(line.includes('"n2":1234567890.12,'), line);
  assert.ok(line.includes('"ts":"2021-03-04T05:06:07.123456+00:00"'), line);
  assert.ok(line.includes('"tsn":"2021-03-04T05:06:07.000001+00:00"'), line);
  assert.ok(line.includes('"d":"2021-03-04T00:00:00.000000+00:00"'), line);
  assert.ok(line.includes('"big": 123456789012345678901234567890.5'), 'jsonb numbers keep every digit');
  const line2 = result.stdout.split('\n').find((l) => l.includes('"record":{"id":2,'))!;
  assert.ok(line2.includes('"big":-9223372036854775808,'), line2);
  assert.ok(line2.includes('"n":-0.000000000000000000001,'), line2);
  assert.ok(line2.includes('"ts":"2000-01-01T07:59:59.999999+00:00"'), 'timestamptz is converted to UTC');
  assert.ok(line2.includes('"dp":1e+300'), line2);
  const rows = records(result.lines, 'exact');
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[0]!.js, { x: [1, 2] });
  assert.equal(rows[0]!.t, 'tab\there "quoted" \\ back\nslash é ✓');
  assert.deepEqual(rows[0]!.ia, [1, null, 3]);
  assert.deepEqual(rows[0]!.ta, ['a,b', 'c"d', null]);
  assert.equal(rows[0]!.f, true);
  assert.equal(rows[0]!.si, 32767);
  assert.deepEqual(rows[1]!.j, []);
  assert.equal(rows[1]!.js, null);
  assert.deepEqual(rows[1]!.ia, []);
  assert.deepEqual(Object.values(rows[2]!).filter((v) => v !== null), [3]);
  assertSingerStream(result.lines);
});

test('values equal what PostgreSQL itself prints for them', async () => {
  const result = await sync(selectInCatalog(catalog, { [id('exact')]: {} }));
  // PostgreSQL 12+ prints floats shortest-exact by default (extra_float_digits = 1).
  const server = await db.query<{ id: string; big: string | null; n: string | null; r: string | null; u: string | null }>(
    'SELECT id::text, big::text, n::text, r::text, u::text FROM exact ORDER BY id');
  const lines = result.stdout.split('\n').filter((l) => l.includes('"type":"RECORD"'));
  for (const row of server) {
    const line = lines.find((l) => l.includes(`"record":{"id":${row.id},`))!;
    assert.ok(line.includes(`"big":${row.big ?? 'null'},`), `big of ${row.id}`);
    assert.ok(line.includes(`"n":${row.n ?? 'null'},`), `n of ${row.id}`);
    assert.ok(line.includes(`"u":${row.u === null ? 'null' : JSON.stringify(row.u)},`), `u of ${row.id}`);
    assert.ok(line.includes(`"r":${row.r ?? 'null'},`), `r of ${row.id}: ${row.r}`);
  }
});

test('full table messages come in order: SCHEMA, STATE, ACTIVATE_VERSION, RECORDs, ACTIVATE_VERSION, STATE', async () => {
  const result = await sync(selectInCatalog(catalog, { [id('exact')]: {} }));
  const types = result.lines.map((m) => (m as { type: string }).type);
  assert.deepEqual(types, ['SCHEMA', 'STATE', 'ACTIVATE_VERSION', 'RECORD', 'RECORD', 'RECORD', 'ACTIVATE_VERSION', 'STATE']);
  const [first, last] = messagesOfType<{ value: { currently_syncing: string | null; bookmarks: Record<string, { version: number; last_replication_method: string }> } }>(result.lines, 'STATE');
  assert.equal(first!.value.currently_syncing, id('exact'));
  assert.equal(last!.value.currently_syncing, null);
  const bookmark = last!.value.bookmarks[id('exact')]!;
  assert.equal(bookmark.last_replication_method, 'FULL_TABLE');
  const versions = messagesOfType<{ version: number }>(result.lines, 'ACTIVATE_VERSION').map((m) => m.version);
  assert.deepEqual(versions, [bookmark.version, bookmark.version]);
  for (const record of messagesOfType<{ version: number; time_extracted: string }>(result.lines, 'RECORD')) {
    assert.equal(record.version, bookmark.version);
    assert.match(record.time_extracted, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
  }
});

test('a later run with state skips the first ACTIVATE_VERSION and uses a new version', async () => {
  const selected = selectInCatalog(catalog, { [id('exact')]: {} });
  const first = await sync(selected);
  const state = messagesOfType<{ value: unknown }>(first.lines, 'STATE').at(-1)!.value;
  const second = await sync(selected, state);
  const types = second.lines.map((m) => (m as { type: string }).type);
  assert.deepEqual(types, ['SCHEMA', 'STATE', 'RECORD', 'RECORD', 'RECORD', 'ACTIVATE_VERSION', 'STATE']);
  const v1 = messagesOfType<{ version: number }>(first.lines, 'ACTIVATE_VERSION')[0]!.version;
  const v2 = messagesOfType<{ version: number }>(second.lines, 'ACTIVATE_VERSION')[0]!.version;
  assert.ok(v2 > v1, 'each complete copy gets a newer version');
});

test('unselected columns are neither in SCHEMA nor read from the table', async () => {
  const selected = selectInCatalog(catalog, { [id('partial')]: { deselect: ['note'] } });
  // After discovery the user loses access to the deselected column: reading it would fail.
  await db.query('REVOKE SELECT ON partial FROM tapuser; GRANT SELECT (id, name) ON partial TO tapuser');
  try {
    const result = await sync(selected);
    const schema = messagesOfType<{ schema: { properties: object } }>(result.lines, 'SCHEMA')[0]!;
    assert.deepEqual(Object.keys(schema.schema.properties), ['id', 'name']);
    assert.deepEqual(records(result.lines), [{ id: 1, name: 'a' }]);
  } finally {
    await db.query('GRANT SELECT ON partial TO tapuser');
  }
});

test('key columns are synced even when marked unselected', async () => {
  const result = await sync(selectInCatalog(catalog, { [id('partial')]: { deselect: ['id', 'name'] } }));
  assert.deepEqual(records(result.lines), [{ id: 1, note: 'hidden' }]);
});

test('tables and columns whose names need quoting are synced', async () => {
  const result = await sync(selectInCatalog(catalog, { [id('Mixed Case')]: {} }));
  assert.deepEqual(records(result.lines, 'Mixed Case'), [
    { 'Weird "col" name': 1, 'has space': 'one' },
    { 'Weird "col" name': 2, 'has space': 'two' },
  ]);
  const schema = messagesOfType<{ key_properties: string[] }>(result.lines, 'SCHEMA')[0]!;
  assert.deepEqual(schema.key_properties, ['Weird "col" name']);
});

test('a view is synced with the key the user defines for it', async () => {
  const result = await sync(selectInCatalog(catalog, { [id('exact_view')]: { viewKeys: ['id'] } }));
  const schema = messagesOfType<{ key_properties: string[] }>(result.lines, 'SCHEMA')[0]!;
  assert.deepEqual(schema.key_properties, ['id']);
  assert.equal(records(result.lines, 'exact_view').length, 3);
});

test('output does not depend on the server TimeZone, DateStyle, IntervalStyle or extra_float_digits', async () => {
  const selected = selectInCatalog(catalog, { [id('exact')]: {} });
  const plain = await sync(selected);
  await db.query(`ALTER ROLE tapuser IN DATABASE ${db.name} SET TimeZone = 'America/Los_Angeles'`);
  await db.query(`ALTER ROLE tapuser IN DATABASE ${db.name} SET DateStyle = 'SQL, DMY'`);
  await db.query(`ALTER ROLE tapuser IN DATABASE ${db.name} SET IntervalStyle = 'sql_standard'`);
  await db.query(`ALTER ROLE tapuser IN DATABASE ${db.name} SET extra_float_digits = -3`);
  try {
    const shifted = await sync(selected);
    const body = (r: { lines: unknown[] }) => records(r.lines).map((record) => JSON.stringify(record));
    assert.deepEqual(body(shifted), body(plain));
  } finally {
    await db.query(`ALTER ROLE tapuser IN DATABASE ${db.name} RESET ALL`);
  }
});

test('several streams in one run each get SCHEMA, records and state', async () => {
  const result = await sync(selectInCatalog(catalog, { [id('exact')]: {}, [id('Mixed Case')]: {} }));
  assert.equal(records(result.lines, 'exact').length, 3);
  assert.equal(records(result.lines, 'Mixed Case').length, 2);
  const last = messagesOfType<{ value: { bookmarks: object } }>(result.lines, 'STATE').at(-1)!;
  assert.deepEqual(Object.keys(last.value.bookmarks).sort(), [id('Mixed Case'), id('exact')].sort());
  assertSingerStream(result.lines);
});
