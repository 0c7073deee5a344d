// Issue 15, second list: every way a state used to skip changes silently, each through the real CLI.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { messagesOfType, records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { runTap } from '../harness/run-cli.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import type { TestDatabase } from '../harness/test-database.js';
import { advanceSlot, flushWal, lastState, logBasedDatabase, lsnOf, lsnValue, QUICK, startTap, syncOk, type Message } from './log-based-helpers.js';

let db: TestDatabase;
let discovered: CatalogJson;
const id = (table: string): string => `${db.name}-public-${table}`;

before(async () => {
  db = await logBasedDatabase('state_no_skip');
  await db.query(`
    CREATE TABLE events (id int PRIMARY KEY, v text);
    CREATE TABLE "emoji 🐘 table" ("id 🔑" int PRIMARY KEY, "note ✨" text);
    CREATE TABLE big_keys (k bigint PRIMARY KEY, v text);
    INSERT INTO big_keys SELECT 9007199254740990 + g, 'r' || g FROM generate_series(1, 8) g;
    CREATE TABLE cadence (id int PRIMARY KEY, updated bigint NOT NULL, v text);
    INSERT INTO cadence SELECT g, g, repeat('x', 50) FROM generate_series(1, 2500) g;
    CREATE TABLE wide (id int PRIMARY KEY, v text);
    INSERT INTO wide SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 150000) g;
    CREATE TABLE streamed (id int PRIMARY KEY, v text);
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO tapuser;
  `);
  discovered = await discoverCatalog(db.tapConfig());
  await advanceSlot(db);
});

after(async () => {
  await db?.close();
});

async function confirmedFlush(): Promise<bigint> {
  const rows = await db.query<{ lsn: string }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [`stitch_${db.name}`]);
  return lsnValue(rows[0]!.lsn);
}

/** The previous run's walsender may still hold the slot for a moment after the tap exits. */
async function slotReleased(): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const rows = await db.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [`stitch_${db.name}`]);
    if (rows[0]?.active !== true) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the slot stayed active');
}

function errorLine(stderr: string): Record<string, unknown> {
  const errors = stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => (line.level as number) >= 50);
  assert.equal(errors.length, 1, stderr);
  return errors[0]!;
}

test('a state whose lsn is beyond the server\'s WAL end is refused, nothing is confirmed, and the right state still delivers later changes', async () => {
  const selected = selectInCatalog(discovered, { [id('events')]: { method: 'LOG_BASED' } });
  const first = await syncOk(db, selected);
  const good = lastState(first);
  const before = await confirmedFlush();
  const future = { ...good, bookmarks: { [id('events')]: { ...good.bookmarks[id('events')], lsn: (lsnOf(good, id('events')) + (1n << 40n)).toString() } } };
  const refused = await runSync(db.tapConfig(QUICK), selected, future);
  assert.equal(refused.code, 1, refused.stderr);
  const error = errorLine(refused.stderr);
  assert.equal(error.code, 'STATE_LSN_AHEAD', refused.stderr);
  assert.match(String(error.hint), /state reset/);
  assert.match(String(error.hint), /--accept-lsn-gap/);
  assert.equal(records(refused.lines).length, 0);
  assert.equal(await confirmedFlush(), before, 'the slot was not confirmed to the future lsn');

  await db.query("INSERT INTO events VALUES (1, 'after the refused run')");
  const again = await syncOk(db, selected, good);
  assert.deepEqual(records(again.lines).map((r) => r.id), [1], 'the change made after the refused run arrives with the right state');
});

test('a state whose lsn is older than the slot\'s confirmed position is refused; --accept-lsn-gap reads on from the slot', async () => {
  const selected = selectInCatalog(discovered, { [id('events')]: { method: 'LOG_BASED' } });
  const first = await syncOk(db, selected);
  const old = lastState(first);
  await db.query("INSERT INTO events VALUES (2, 'lost in the gap')");
  await flushWal(db);
  // The slot moves on without this state (another consumer, or a slot recreated).
  await slotReleased();
  await db.query('SELECT pg_replication_slot_advance($1, pg_current_wal_lsn())', [`stitch_${db.name}`]);
  const slotAt = await confirmedFlush();
  const refused = await runSync(db.tapConfig(QUICK), selected, old);
  assert.equal(refused.code, 1, refused.stderr);
  const error = errorLine(refused.stderr);
  assert.equal(error.code, 'STATE_LSN_BEHIND_SLOT', refused.stderr);
  assert.match(String(error.msg), new RegExp(id('events')));
  assert.match(String(error.hint), /state reset/);
  assert.equal(records(refused.lines).length, 0);
  assert.equal(await confirmedFlush(), slotAt);

  await db.query("INSERT INTO events VALUES (3, 'after the gap')");
  await flushWal(db);
  const accepted = await runTap(['--config', '@config', '--catalog', '@catalog', '--state', '@state', '--accept-lsn-gap'], { files: { config: db.tapConfig(QUICK), catalog: selected, state: old } });
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.deepEqual(records(accepted.lines).map((r) => r.id), [3]);
  assert.match(accepted.stderr, /accept-lsn-gap/, 'the accepted gap is logged');
});

test('a table named with characters outside the Basic Multilingual Plane streams its changes (LOG_BASED)', async () => {
  const streamId = `${db.name}-public-emoji 🐘 table`;
  const selected = selectInCatalog(discovered, { [streamId]: { method: 'LOG_BASED' } });
  const first = await syncOk(db, selected);
  await db.query(`INSERT INTO "emoji 🐘 table" VALUES (1, 'a 🚀'), (2, 'b'); UPDATE "emoji 🐘 table" SET "note ✨" = 'c 🌍' WHERE "id 🔑" = 2; DELETE FROM "emoji 🐘 table" WHERE "id 🔑" = 1`);
  const second = await syncOk(db, selected, lastState(first));
  const got = records(second.lines).map((r) => [r['id 🔑'], r['note ✨'] ?? null, r._sdc_deleted_at === null ? 'live' : 'deleted']);
  assert.deepEqual(got, [[1, 'a 🚀', 'live'], [2, 'b', 'live'], [2, 'c 🌍', 'live'], [1, null, 'deleted']], second.stderr);
});

test('an INCREMENTAL bookmark above 2^53 written as a JSON number is read exactly', async () => {
  const selected = selectInCatalog(discovered, { [id('big_keys')]: { method: 'INCREMENTAL', replicationKey: 'k' } });
  // 9007199254740995 as a JSON number (singer-io writes numbers): a double would read 9007199254740996.
  const state = `{"bookmarks": {"${id('big_keys')}": {"last_replication_method": "INCREMENTAL", "replication_key": "k", "version": 1, "replication_key_value": 9007199254740995}}}`;
  const result = await runTap(['--config', '@config', '--catalog', '@catalog', '--state', '@state'], { files: { config: db.tapConfig(), catalog: selected, state } });
  assert.equal(result.code, 0, result.stderr);
  const keys = result.stdout.split('\n').filter((line) => line.startsWith('{"type":"RECORD"')).map((line) => /"k":(\d+)/.exec(line)![1]);
  assert.deepEqual(keys, ['9007199254740995', '9007199254740996', '9007199254740997', '9007199254740998']);
});

/** Records between consecutive STATE lines (and before the first). */
function gaps(lines: unknown[]): number[] {
  const out: number[] = [];
  let since = 0;
  for (const line of lines as Message[]) {
    if (line.type === 'RECORD') since++;
    if (line.type === 'STATE') {
      out.push(since);
      since = 0;
    }
  }
  return out;
}

for (const method of ['FULL_TABLE', 'INCREMENTAL'] as const) {
  test(`state_interval_rows is honoured per record (${method}): never more than N records without a STATE`, async () => {
    const selected = selectInCatalog(discovered, { [id('cadence')]: { method, ...(method === 'INCREMENTAL' ? { replicationKey: 'updated' } : {}) } });
    const result = await runSync(db.tapConfig({ state_interval_rows: 100 }), selected);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(records(result.lines).length, 2500);
    assert.ok(Math.max(...gaps(result.lines)) <= 100, `largest gap ${Math.max(...gaps(result.lines))}`);
    assert.ok(gaps(result.lines).filter((gap) => gap === 100).length >= 24, 'a STATE after every 100th record');
  });
}

test('state_interval_rows is honoured per record (LOG_BASED, one-row transactions)', async () => {
  const selected = selectInCatalog(discovered, { [id('streamed')]: { method: 'LOG_BASED' } });
  const first = await syncOk(db, selected);
  await db.query(`DO $$ BEGIN FOR i IN 1..350 LOOP INSERT INTO streamed VALUES (i, 'x'); COMMIT; END LOOP; END $$`);
  const second = await syncOk(db, selected, lastState(first), { state_interval_rows: 100 });
  assert.equal(records(second.lines).length, 350);
  assert.ok(Math.max(...gaps(second.lines)) <= 100, `largest gap ${Math.max(...gaps(second.lines))}`);
});

/** Terminates the tap's query backend (not our own sessions) as soon as it runs. */
async function terminateTapBackend(predicate: string): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const rows = await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE usename = 'tapuser' AND datname = $1 AND ${predicate}`, [db.name]);
    if (rows.length > 0) {
      await db.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid', [rows.map((r) => r.pid)]);
      return rows.length;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('no tap backend to terminate');
}

/**
 * Starts the tap, holds its stdout after the first RECORD (so the read is mid-way), ends the tap's
 * backend matching `predicate`, and checks the coded, retryable error. Returns the ids the killed
 * run wrote and its last STATE.
 */
async function loseConnection(selected: CatalogJson, state: unknown, predicate: string): Promise<{ ids: unknown[]; state: unknown }> {
  const tap = startTap(db, selected, state, { state_interval_rows: 1000 });
  await tap.waitFor((m) => m.type === 'RECORD');
  tap.child.stdout.pause();
  await terminateTapBackend(predicate);
  tap.child.stdout.resume();
  const ended = await tap.done;
  assert.equal(ended.code, 1, ended.stderr);
  const error = errorLine(ended.stderr);
  assert.equal(error.code, 'PG_CONNECTION_LOST', ended.stderr);
  assert.equal(error.retryable, true);
  return { ids: tap.lines.filter((m) => m.type === 'RECORD').map((m) => m.record!.id), state: messagesOfType<{ value: unknown }>(tap.lines, 'STATE').at(-1)!.value };
}

test('a connection lost during a COPY is PG_CONNECTION_LOST, retryable, and the resumed run loses nothing', async () => {
  const selected = selectInCatalog(discovered, { [id('wide')]: { method: 'FULL_TABLE' } });
  const lost = await loseConnection(selected, undefined, "query LIKE 'COPY%'");
  const resumed = await runSync(db.tapConfig(), selected, lost.state);
  assert.equal(resumed.code, 0, resumed.stderr);
  const ids = new Set([...lost.ids, ...records(resumed.lines).map((r) => r.id)]);
  assert.equal(ids.size, 150000, 'every row arrived in one of the two runs');
});

test('a terminated replication session is PG_CONNECTION_LOST, retryable, and the resumed run loses nothing', async () => {
  const selected = selectInCatalog(discovered, { [id('streamed')]: { method: 'LOG_BASED' } });
  const first = await syncOk(db, selected);
  await db.query('INSERT INTO streamed SELECT g, $1 FROM generate_series(1000, 60999) g', [Buffer.alloc(200, 'y').toString()]);
  await flushWal(db);
  const lost = await loseConnection(selected, lastState(first), "backend_type = 'walsender'");
  const resumed = await syncOk(db, selected, lost.state);
  const ids = new Set([...lost.ids, ...records(resumed.lines).map((r) => r.id)]);
  for (let i = 1000; i < 61000; i++) assert.ok(ids.has(i), `row ${i} arrived`);
});
