import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { messagesOfType, records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { runTap, type TapResult } from '../harness/run-cli.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import { assertSingerStream } from '../harness/singer-assert.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

let db: TestDatabase;
let catalog: CatalogJson;
const id = (table: string): string => `${db.name}-public-${table}`;

interface StateValue { currently_syncing: string | null; bookmarks: Record<string, Record<string, unknown>> }

/** One table per bookmark type: the key column `k` of that type, and an `id`. */
const KEY_TABLES: Record<string, { type: string; values: string[]; later: string }> = {
  k_int: { type: 'integer', values: ['1', '2', '3'], later: '4' },
  k_bigint: { type: 'bigint', values: ['9007199254740993', '9007199254740995', '9223372036854775806'], later: '9223372036854775807' },
  k_numeric: { type: 'numeric', values: ['1.000000000000000000001', '1.000000000000000000002', '12345678901234567890.5'], later: '12345678901234567890.6' },
  k_ts: { type: 'timestamp', values: ['2024-01-01 00:00:00.000001', '2024-01-01 00:00:00.000002', '2024-01-01 00:00:00.000003'], later: '2024-01-01 00:00:00.000004' },
  k_tstz: { type: 'timestamptz', values: ['2024-01-01 00:00:00.000001+00', '2024-01-01 00:00:00.000002+00', '2024-01-01 00:00:00.000003+00'], later: '2024-01-01 00:00:00.000004+00' },
  k_date: { type: 'date', values: ['2024-01-01', '2024-01-02', '2024-01-03'], later: '2024-01-04' },
  k_text: { type: 'text', values: ['apple', 'banana', 'cherry'], later: 'date' },
  k_uuid: { type: 'uuid', values: ['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000003'], later: '00000000-0000-0000-0000-000000000004' },
};

before(async () => {
  db = await createTestDatabase('incremental');
  for (const [table, spec] of Object.entries(KEY_TABLES)) {
    await db.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, k ${spec.type}, note text)`);
    for (const value of spec.values) await db.query(`INSERT INTO ${table} (k, note) VALUES ($1, 'first')`, [value]);
    await db.query(`GRANT SELECT ON ${table} TO tapuser`);
  }
  await db.query(`
    CREATE TABLE events (id bigint PRIMARY KEY, updated_at timestamptz, body text);
    INSERT INTO events SELECT g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 microsecond', 'e' || g FROM generate_series(1, 2500) g;
    INSERT INTO events VALUES (9001, NULL, 'no key');
    GRANT SELECT ON events TO tapuser;
  `);
  catalog = await discoverCatalog(db.tapConfig());
});

after(async () => {
  await db?.close();
});

async function sync(selected: CatalogJson, state?: unknown, config: Record<string, unknown> = db.tapConfig()): Promise<TapResult> {
  const result = await runSync(config, selected, state);
  assert.equal(result.code, 0, result.stderr);
  assertSingerStream(result.lines);
  return result;
}

function lastState(result: TapResult): StateValue {
  return messagesOfType<{ value: StateValue }>(result.lines, 'STATE').at(-1)!.value;
}

for (const [table, spec] of Object.entries(KEY_TABLES)) {
  test(`INCREMENTAL on a ${spec.type} key: exact bookmark, rows equal to it and newer ones delivered, older ones not`, async () => {
    const selected = selectInCatalog(catalog, { [id(table)]: { method: 'INCREMENTAL', replicationKey: 'k' } });
    const first = await sync(selected);
    assert.deepEqual(records(first.lines).map((r) => r.note), ['first', 'first', 'first']);
    const state = lastState(first);
    const bookmark = state.bookmarks[id(table)]!;
    assert.equal(bookmark.replication_key, 'k');
    assert.equal(bookmark.last_replication_method, 'INCREMENTAL');
    const [{ same }] = await db.query<{ same: boolean }>(`SELECT $1::${spec.type} = $2::${spec.type} AS same`, [String(bookmark.replication_key_value), spec.values[2]]);
    assert.equal(same, true, `bookmark ${JSON.stringify(bookmark.replication_key_value)} is exactly the largest key ${spec.values[2]}`);

    await db.query(`INSERT INTO ${table} (k, note) VALUES ($1, 'same key'), ($2, 'later')`, [spec.values[2], spec.later]);
    const second = await sync(selected, state);
    const notes = records(second.lines).map((r) => r.note).sort();
    assert.deepEqual(notes, ['first', 'later', 'same key'], 'the row at the bookmark again, the new row with the same key, the newer row');
    assert.equal(lastState(second).bookmarks[id(table)]!.version, bookmark.version, 'incremental keeps its version');
  });
}

test('INCREMENTAL emits STATE every state_interval_rows rows, after the rows it covers', async () => {
  const selected = selectInCatalog(catalog, { [id('events')]: { method: 'INCREMENTAL', replicationKey: 'updated_at' } });
  const result = await sync(selected, undefined, db.tapConfig({ state_interval_rows: 500 }));
  let seen = 0;
  let lastKey = '';
  for (const line of result.lines as { type: string; record?: { updated_at: string }; value?: StateValue }[]) {
    if (line.type === 'RECORD') { seen++; lastKey = line.record!.updated_at; }
    if (line.type === 'STATE' && seen > 0) {
      const value = line.value!.bookmarks[id('events')]!.replication_key_value;
      assert.equal(value, lastKey, 'a STATE names the key of the last record before it');
    }
  }
  const states = messagesOfType(result.lines, 'STATE').length;
  assert.ok(states >= 2500 / 500, `at least one STATE per 500 rows (got ${states})`);
  assert.equal(lastState(result).bookmarks[id('events')]!.replication_key_value, '2024-01-01T00:00:00.002500+00:00');
});

test('rows whose replication key is NULL are not synced, with a warning', async () => {
  const selected = selectInCatalog(catalog, { [id('events')]: { method: 'INCREMENTAL', replicationKey: 'updated_at' } });
  const result = await sync(selected);
  assert.equal(records(result.lines).length, 2500);
  assert.ok(!records(result.lines).some((r) => r.id === 9001));
  assert.match(result.stderr, /replication key \\"updated_at\\" is NULL cannot be bookmarked/);
});

test('switching the replication method resets the bookmark with a log line', async () => {
  const incremental = selectInCatalog(catalog, { [id('k_int')]: { method: 'INCREMENTAL', replicationKey: 'k' } });
  const state = lastState(await sync(incremental));
  const full = selectInCatalog(catalog, { [id('k_int')]: { method: 'FULL_TABLE' } });
  const result = await sync(full, state);
  assert.match(result.stderr, /replication method changed from INCREMENTAL to FULL_TABLE; its bookmark is reset/);
  const bookmark = lastState(result).bookmarks[id('k_int')]!;
  assert.equal(bookmark.last_replication_method, 'FULL_TABLE');
  assert.equal(bookmark.replication_key_value, undefined);
});

test('switching the replication key resets the bookmark', async () => {
  const byK = selectInCatalog(catalog, { [id('k_int')]: { method: 'INCREMENTAL', replicationKey: 'k' } });
  const state = lastState(await sync(byK));
  const byId = selectInCatalog(catalog, { [id('k_int')]: { method: 'INCREMENTAL', replicationKey: 'id' } });
  const result = await sync(byId, state);
  assert.match(result.stderr, /replication key changed from k to id/);
  assert.equal(records(result.lines).length, (await db.query('SELECT 1 FROM k_int')).length, 'every row again');
});

test('streams absent from the catalog keep their bookmarks', async () => {
  const state = { currently_syncing: null, bookmarks: { 'other-db-stream': { last_replication_method: 'INCREMENTAL', replication_key: 'x', replication_key_value: 5 } } };
  const result = await sync(selectInCatalog(catalog, { [id('k_text')]: { method: 'INCREMENTAL', replicationKey: 'k' } }), state);
  assert.deepEqual(lastState(result).bookmarks['other-db-stream'], state.bookmarks['other-db-stream']);
});

test('rows updated between runs (key moved forward) are delivered again; untouched older rows are not', async () => {
  await db.query(`CREATE TABLE docs (id int PRIMARY KEY, updated_at timestamptz NOT NULL, body text);
    INSERT INTO docs SELECT g, timestamptz '2024-01-01' + g * interval '1 second', 'v1' FROM generate_series(1, 10) g;
    GRANT SELECT ON docs TO tapuser`);
  const discovered = await runTap(['--config', '@config', '--discover'], { files: { config: db.tapConfig() } });
  const selected = selectInCatalog(JSON.parse(discovered.stdout) as CatalogJson, { [id('docs')]: { method: 'INCREMENTAL', replicationKey: 'updated_at' } });
  const first = await sync(selected);
  assert.equal(records(first.lines).length, 10);
  await db.query(`UPDATE docs SET body = 'v2', updated_at = timestamptz '2024-02-01 00:00:00.123456+00' WHERE id IN (2, 5)`);
  const second = await sync(selected, lastState(first));
  assert.deepEqual(records(second.lines).map((r) => [r.id, r.body]), [[10, 'v1'], [2, 'v2'], [5, 'v2']]);
  assert.equal(lastState(second).bookmarks[id('docs')]!.replication_key_value, '2024-02-01T00:00:00.123456+00:00');
});

test('the interrupted stream (currently_syncing) is synced first', async () => {
  const selected = selectInCatalog(catalog, {
    [id('k_int')]: { method: 'INCREMENTAL', replicationKey: 'k' },
    [id('k_text')]: { method: 'INCREMENTAL', replicationKey: 'k' },
  });
  const result = await sync(selected, { currently_syncing: id('k_text'), bookmarks: {} });
  const order = messagesOfType<{ stream: string }>(result.lines, 'SCHEMA').map((m) => m.stream);
  assert.deepEqual(order, ['k_text', 'k_int']);
});
