import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { startCluster } from '../harness/cluster.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import type { TestDatabase } from '../harness/test-database.js';
import { createTestDatabase } from '../harness/test-database.js';
import { advanceSlot, flushWal, lastState, logBasedDatabase, lsnOf, lsnValue, slotActive, startTap, syncOk, QUICK } from './log-based-helpers.js';
import { createSlot, TEST_PLUGIN } from '../harness/test-plugin.js';

/** LOG_BASED edge cases: tables without keys, idle streaming, async commits, large foreign transactions, quiet databases, odd names, partitions, TOAST without a key. */
let db: TestDatabase;
let catalog: CatalogJson;
const id = (table: string): string => `${db.name}-public-${table}`;

before(async () => {
  db = await logBasedDatabase('log_based_bugs');
  await db.query(`
    CREATE TABLE nokey (a int, b text);
    INSERT INTO nokey VALUES (1, 'x');
    CREATE TABLE live (id int PRIMARY KEY);
    CREATE TABLE idle (id int PRIMARY KEY);
    CREATE TABLE bulk AS SELECT g AS id, 0 AS v FROM generate_series(1, 400000) g;
    ALTER TABLE bulk ADD PRIMARY KEY (id);
    CREATE TABLE "with space" (id int PRIMARY KEY);
    CREATE TABLE parted (id int, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
    CREATE TABLE parted_eu PARTITION OF parted FOR VALUES IN ('eu');
    CREATE TABLE parted_us PARTITION OF parted FOR VALUES IN ('us');
    INSERT INTO parted VALUES (1, 'eu');
    CREATE TABLE nokey_toast (a int, big text);
    ALTER TABLE nokey_toast REPLICA IDENTITY FULL;
    INSERT INTO nokey_toast SELECT 1, string_agg(md5(g::text), '') FROM generate_series(1, 10000) g;
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO tapuser;
  `);
  catalog = await discoverCatalog(db.tapConfig());
});

after(async () => {
  await db?.close();
});

test('a table without primary key (REPLICA IDENTITY DEFAULT): its updates and deletes get a warning', async () => {
  // wal2json sends no U/D message at all for such a table (only an empty B/C), so a warning
  // that waits for one never comes and the updates and deletes are lost downstream silently.
  const selected = selectInCatalog(catalog, { [id('nokey')]: { method: 'LOG_BASED' } });
  const first = await syncOk(db, selected);
  if (TEST_PLUGIN === 'pgoutput') {
    // A publication that publishes updates makes the server refuse them on such a table: nothing
    // can be lost, and the warning still tells why.
    await assert.rejects(db.query("UPDATE nokey SET b = 'changed' WHERE a = 1"), /does not have a replica identity/);
    assert.match(first.stderr, /nokey[^\n]*(primary key|replica identity)/i);
    return;
  }
  await db.query("UPDATE nokey SET b = 'changed' WHERE a = 1; DELETE FROM nokey WHERE a = 1");
  const second = await syncOk(db, selected, lastState(first));
  assert.deepEqual(records(second.lines), [], 'wal2json gives nothing for them');
  const warned = /nokey[^\n]*(primary key|replica identity)/i.test(first.stderr + second.stderr);
  assert.ok(warned, 'a warning names the table and says its updates and deletes are not replicated');
});

test('a change committed while the tap idles reaches stdout while the tap still runs (not held until 64 KB or the end)', async () => {
  const selected = selectInCatalog(catalog, { [id('live')]: { method: 'LOG_BASED' } });
  const first = await syncOk(db, selected);
  const tap = startTap(db, selected, lastState(first), { break_at_end_lsn: false, logical_poll_total_seconds: 30 });
  try {
    await slotActive(db);
    await db.query('INSERT INTO live VALUES (1)');
    await tap.waitFor((m) => m.type === 'RECORD');
    assert.equal(tap.child.exitCode, null, 'the record arrived while the tap still runs');
  } finally {
    tap.child.kill('SIGTERM');
    await tap.done;
  }
});

test('break_at_end_lsn: a change committed (asynchronously) before the run starts is delivered by that run', async () => {
  // pg_current_wal_lsn() is the WAL *write* position: an asynchronous commit (synchronous_commit
  // off) can still be in WAL buffers beyond it, so the run stops before reaching it.
  // pg_current_wal_insert_lsn() covers every commit made before the run.
  const cluster = await startCluster({ settings: { wal_writer_delay: '10000ms', synchronous_commit: 'off' } });
  try {
    await cluster.query('CREATE DATABASE async_db');
    await cluster.query('GRANT CONNECT ON DATABASE async_db TO tapuser');
    await cluster.query('CREATE TABLE t (id int PRIMARY KEY); GRANT USAGE ON SCHEMA public TO tapuser; GRANT SELECT ON t TO tapuser', [], 'async_db');
    await createSlot((sql, params) => cluster.query(sql, params, 'async_db'), 'stitch_async_db');
    const config = { host: cluster.host, port: cluster.port, user: 'tapuser', password: 'tappass', dbname: 'async_db', filter_dbs: 'async_db', ...QUICK };
    const selected = selectInCatalog(await discoverCatalog(config), { 'async_db-public-t': { method: 'LOG_BASED' } });
    const first = await runSync(config, selected);
    assert.equal(first.code, 0, first.stderr);
    let state = lastState(first);
    for (let i = 1; i <= 3; i++) {
      await cluster.query(`INSERT INTO t VALUES (${i})`, [], 'async_db');
      const [{ buffered }] = await cluster.query<{ buffered: boolean }>('SELECT pg_current_wal_lsn() < pg_current_wal_insert_lsn() AS buffered', [], 'async_db');
      const run = await runSync(config, selected, state);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(records(run.lines).map((r) => r.id), [i], `row ${i}, committed before run ${i + 1} started (commit still in WAL buffers: ${String(buffered)})`);
      state = lastState(run);
    }
  } finally {
    await cluster.stop();
  }
});

test('a large transaction on an unselected table does not stop the run as "idle" (logical_poll_total_seconds)', async () => {
  // The server decodes the whole transaction before its C message; wal2json sends B, then nothing
  // for the filtered changes. The idle timer counts that time as "no new change" and stops the
  // run inside the transaction, so the bookmark never passes it: every later run stops there too.
  const selected = selectInCatalog(catalog, { [id('live')]: { method: 'LOG_BASED' } });
  await advanceSlot(db);
  const first = await syncOk(db, selected);
  await db.query('UPDATE bulk SET v = v + 1');
  await db.query('INSERT INTO live VALUES (100)');
  let state = lastState(first);
  for (let run = 2; run <= 3; run++) {
    const result = await syncOk(db, selected, state, { logical_poll_total_seconds: 1 });
    state = lastState(result);
    if (records(result.lines).some((r) => r.id === 100)) return;
    const stopped = result.stderr.split('\n').find((l) => l.includes('log-based read of')) ?? '';
    assert.ok(!stopped.includes('no new change for 1 s'), `run ${run} stopped as idle while the server was still decoding the large transaction: ${stopped}`);
  }
  assert.fail('the insert committed after the large transaction never arrived');
});

test('a quiet database on a busy server: the bookmark (and so the slot) moves past other databases\' WAL', async () => {
  // Bookmarks move only at this database's commits; the keepalive's WAL position is never used,
  // so a database without writes keeps its slot's restart_lsn where it was and the server
  // retains all WAL written since, in every database, until the disk fills.
  const other = await createTestDatabase('log_based_bugs_other');
  try {
    const selected = selectInCatalog(catalog, { [id('idle')]: { method: 'LOG_BASED' } });
    await advanceSlot(db);
    const first = await syncOk(db, selected);
    await other.query('CREATE TABLE filler AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 50000) g');
    await flushWal(other);
    const [{ end }] = await other.query<{ end: string }>('SELECT pg_current_wal_lsn()::text AS "end"');
    // syncOk would flush WAL with a transaction in this database: run the tap directly.
    const second = await runSync(db.tapConfig(QUICK), selected, lastState(first));
    assert.equal(second.code, 0, second.stderr);
    const reached = lsnOf(lastState(second), id('idle'));
    assert.ok(reached >= lsnValue(end), `the run read to the WAL end ${end}, so its bookmark ${reached.toString(16)} should be at least there (it stayed at ${lsnOf(lastState(first), id('idle')).toString(16)})`);
  } finally {
    await other.close();
  }
});

test('a table whose name has a space can be LOG_BASED (add-tables escapes spaces too)', async () => {
  // wal2json: "could not parse value "public.with space" for parameter "add-tables"": space,
  // like comma and period, must be escaped with a backslash.
  const selected = selectInCatalog(catalog, { [id('with space')]: { method: 'LOG_BASED' } });
  const first = await runSync(db.tapConfig(QUICK), selected);
  assert.equal(first.code, 0, first.stderr.split('\n').find((l) => l.includes('"level":50')));
  await db.query('INSERT INTO "with space" VALUES (1)');
  const second = await syncOk(db, selected, lastState(first));
  assert.deepEqual(records(second.lines), [{ id: 1, _sdc_deleted_at: null }]);
});

test('LOG_BASED on a partitioned table: its changes arrive, or the selection is refused', async () => {
  // wal2json names the leaf partition (public.parted_us), never the parent, and add-tables with
  // the parent's name filters every change out: the copy runs, then nothing ever arrives.
  const selected = selectInCatalog(catalog, { [id('parted')]: { method: 'LOG_BASED' } });
  const first = await runSync(db.tapConfig(QUICK), selected);
  if (first.code !== 0) {
    assert.match(first.stderr, /SELECTION_INVALID/, 'refused before reading, with a reason');
    return;
  }
  await db.query("INSERT INTO parted VALUES (2, 'us')");
  await db.query("UPDATE parted SET id = 3 WHERE id = 1");
  const second = await syncOk(db, selected, lastState(first));
  const target = records(second.lines).map((r) => [r.id, r.region, r._sdc_deleted_at === null ? 'row' : 'deleted']);
  assert.deepEqual(target, [[2, 'us', 'row'], [1, 'eu', 'deleted'], [3, 'eu', 'row']]);
});

test('no primary key, REPLICA IDENTITY FULL, unchanged TOASTed column: the update is not dropped', async () => {
  // The change lacks the TOASTed column, the row cannot be read by key (there is none), and the
  // update is skipped with a debug line saying the row was deleted. The identity (old row, full
  // under REPLICA IDENTITY FULL) carries the value.
  const selected = selectInCatalog(catalog, { [id('nokey_toast')]: { method: 'LOG_BASED' } });
  const first = await syncOk(db, selected);
  await db.query('UPDATE nokey_toast SET a = 2');
  const second = await syncOk(db, selected, lastState(first));
  const [{ big }] = await db.query<{ big: string }>('SELECT big FROM nokey_toast');
  const changes = records(second.lines);
  assert.equal(changes.length, 1, 'one record for the update');
  assert.equal(changes[0]!.a, 2);
  assert.equal(changes[0]!.big, big);
});
