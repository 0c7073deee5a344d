import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import type { TestDatabase } from '../harness/test-database.js';
import { advanceSlot, caughtUp, lastState, logBasedDatabase, lsnOf, rebuild, slotActive, startTap, syncOk, type Message } from './log-based-helpers.js';

/**
 * Changes committed while the tap runs: interleaved concurrent transactions while it streams,
 * DML during the initial copy (the copy→stream hand-off), and several databases in one run.
 */
let db: TestDatabase;
let catalog: CatalogJson;
const id = (table: string): string => `${db.name}-public-${table}`;
const COPY_ROWS = 300_000;

before(async () => {
  db = await logBasedDatabase('log_based_streaming');
  await db.query(`
    CREATE TABLE conc (id int PRIMARY KEY, txn int NOT NULL, v int NOT NULL);
    INSERT INTO conc SELECT g, 0, 0 FROM generate_series(1, 20) g;
    CREATE TABLE big (id int PRIMARY KEY, v int NOT NULL, pad text);
    INSERT INTO big SELECT g, 0, md5(g::text) FROM generate_series(1, ${COPY_ROWS}) g;
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO tapuser;
  `);
  catalog = await discoverCatalog(db.tapConfig());
});

after(async () => {
  await db?.close();
});

async function clients(count: number): Promise<pg.Client[]> {
  return Promise.all(Array.from({ length: count }, async () => {
    const client = new pg.Client({ connectionString: db.superUrl });
    await client.connect();
    return client;
  }));
}

async function sourceRows(table: string): Promise<Map<string, string>> {
  const rows = await db.query<{ id: number; v: number }>(`SELECT id, v FROM ${table}`);
  return new Map(rows.map((r) => [String(r.id), String(r.v)]));
}

function targetRows(lines: unknown[], stream: string): Map<string, string> {
  const table = rebuild(lines, stream, (r) => String(r.id));
  return new Map([...table].map(([k, r]) => [k, String(r.v)]));
}

test('50 interleaved concurrent transactions committed while the tap streams all arrive, each transaction contiguous', async () => {
  const selected = selectInCatalog(catalog, { [id('conc')]: { method: 'LOG_BASED' } });
  await advanceSlot(db);
  const first = await syncOk(db, selected);
  const tap = startTap(db, selected, lastState(first), { break_at_end_lsn: false, logical_poll_total_seconds: 6 });
  const pool = await clients(5);
  try {
    await slotActive(db);
    await pool[0]!.query('INSERT INTO conc VALUES (500, -1, 0)');
    await caughtUp(db).catch((error: Error) => {
      throw new Error(`${error.message}\ntap stderr:\n${tap.stderr().slice(-3000)}`);
    });
    // Ten rounds; in each, five clients open a transaction, take turns writing, then commit in a shuffled order.
    let txn = 0;
    for (let round = 0; round < 10; round++) {
      const open = pool.map((client) => ({ client, txn: ++txn }));
      for (const { client } of open) await client.query('BEGIN');
      for (let step = 0; step < 3; step++) {
        for (const { client, txn: t } of open) {
          const newId = 1000 + t * 10 + step;
          await client.query('INSERT INTO conc VALUES ($1, $2, $3)', [newId, t, step]);
        }
      }
      for (const { client, txn: t } of open) {
        await client.query('UPDATE conc SET v = v + 1, txn = $1 WHERE id = $2', [t, 1000 + t * 10]);
        if (t % 7 === 0) await client.query('DELETE FROM conc WHERE id = $1', [1000 + t * 10 + 1]);
      }
      const order = [...open].sort((a, b) => ((a.txn * 7 + round) % 5) - ((b.txn * 7 + round) % 5));
      await order[0]!.client.query('SAVEPOINT s; INSERT INTO conc VALUES (999999, 0, 0); ROLLBACK TO SAVEPOINT s');
      for (const { client } of order) await client.query('COMMIT');
    }
    assert.equal(txn, 50);
    const rolledBack = pool[0]!;
    await rolledBack.query("BEGIN; INSERT INTO conc VALUES (888888, 0, 0); ROLLBACK");
  } finally {
    await Promise.all(pool.map((client) => client.end()));
  }
  const { code, stderr } = await tap.done;
  assert.equal(code, 0, stderr);
  const changes = tap.lines.filter((m) => m.type === 'RECORD' && m.stream === 'conc');
  assert.equal(changes.length, 1 + 50 * 3 + 50 + 7, 'three inserts and an update per transaction, plus the deletes');
  assert.ok(!changes.some((m) => m.record!.id === 999999 || m.record!.id === 888888), 'rolled back work never arrives');
  // Records of one transaction are contiguous (wal2json sends a transaction at its commit).
  const runs = changes.map((m) => Number(m.record!.txn ?? -1)).filter((t, i, all) => t !== -1 && (i === 0 || t !== all[i - 1]));
  assert.equal(new Set(runs).size, runs.length, 'no transaction interleaved with another');
  assert.deepEqual(targetRows([...first.lines, ...tap.lines], 'conc'), await sourceRows('conc'));
});

test('rows inserted, updated and deleted while the initial copy of 300k rows runs are all reflected after the first run', async () => {
  const selected = selectInCatalog(catalog, { [id('big')]: { method: 'LOG_BASED' } });
  await advanceSlot(db);
  const tap = startTap(db, selected, null, { break_at_end_lsn: false, logical_poll_total_seconds: 6, state_interval_rows: 50_000 });
  const pool = await clients(3);
  let copying = true;
  let sawCopyEnd = false;
  void tap.waitFor((m) => m.type === 'ACTIVATE_VERSION' && tap.lines.filter((l) => l.type === 'ACTIVATE_VERSION').length === 2).then(() => { sawCopyEnd = true; }, () => undefined);
  const statements = [0, 0, 0];
  let next = COPY_ROWS;
  const workers = pool.map(async (client, w) => {
    let i = 0;
    while (copying) {
      const target = 1 + ((i * 7919 + w * 104729) % COPY_ROWS);
      if (w === 0) await client.query('INSERT INTO big VALUES ($1, 1, NULL)', [++next]);
      else if (w === 1) await client.query('UPDATE big SET v = v + 1 WHERE id = $1', [target]);
      else await client.query('WITH gone AS (DELETE FROM big WHERE id = $1) UPDATE big SET v = v + 10 WHERE id = $2', [target, target + 1]);
      statements[w]!++;
      i++;
      if (sawCopyEnd) copying = false;
    }
  });
  await tap.waitFor((m) => m.type === 'ACTIVATE_VERSION' && tap.lines.filter((l) => l.type === 'ACTIVATE_VERSION').length === 2, 120_000);
  copying = false;
  await Promise.all(workers);
  await Promise.all(pool.map((client) => client.end()));
  const { code, stderr } = await tap.done;
  assert.equal(code, 0, stderr);
  assert.ok(statements.every((n) => n > 20), `concurrent DML ran during the copy: ${statements.join(', ')} statements`);
  const copied = tap.lines.findIndex((m) => m.type === 'ACTIVATE_VERSION' && tap.lines.indexOf(m) > 2);
  const streamed = tap.lines.slice(copied).filter((m) => m.type === 'RECORD').length;
  assert.ok(streamed > 0, 'changes made during the copy were streamed after it');
  const target = targetRows(tap.lines, 'big');
  const source = await sourceRows('big');
  const wrong = [...source].filter(([k, v]) => target.get(k) !== v).slice(0, 5);
  const extra = [...target.keys()].filter((k) => !source.has(k)).slice(0, 5);
  assert.deepEqual({ size: target.size, wrong, extra }, { size: source.size, wrong: [], extra: [] }, 'the rebuilt table equals the source');
  const again = await syncOk(db, selected, (tap.lines.filter((m) => m.type === 'STATE').at(-1) as Message).value);
  assert.deepEqual(records(again.lines), [], 'nothing left over for the next run');
});

test('several databases, each with its own slot, in one run', async () => {
  const [a, b] = await Promise.all([logBasedDatabase('log_based_multi_a'), logBasedDatabase('log_based_multi_b')]);
  try {
    for (const [database, v] of [[a, 'a'], [b, 'b']] as const) {
      await database.query(`CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, '${v}1'); GRANT SELECT ON t TO tapuser`);
    }
    // Both tables are called t: database-qualified stream names keep them apart.
    const config = a.tapConfig({ filter_dbs: `${a.name},${b.name}`, include_database_in_destination_stream_name: true });
    const both = selectInCatalog(await discoverCatalog(config), {
      [`${a.name}-public-t`]: { method: 'LOG_BASED' },
      [`${b.name}-public-t`]: { method: 'LOG_BASED' },
    });
    const run = (state?: unknown): ReturnType<typeof syncOk> => syncOk(a, both, state, { filter_dbs: `${a.name},${b.name}`, include_database_in_destination_stream_name: true });
    const first = await run();
    assert.deepEqual(records(first.lines).map((r) => r.v).sort(), ['a1', 'b1']);
    await a.query("INSERT INTO t VALUES (2, 'a2'); UPDATE t SET v = 'a1*' WHERE id = 1");
    await b.query("DELETE FROM t WHERE id = 1; INSERT INTO t VALUES (3, 'b3')");
    const second = await run(lastState(first));
    const state = lastState(second);
    assert.deepEqual(records(second.lines).map((r) => [r.id, r.v ?? 'deleted']).sort(), [[1, 'a1*'], [1, 'deleted'], [2, 'a2'], [3, 'b3']].sort());
    // Each slot was confirmed to its own database's input lsn: the sessions are per database.
    for (const database of [a, b]) {
      const [{ lsn }] = await database.query<{ lsn: string }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [`stitch_${database.name}`]);
      const [high, low] = lsn.split('/') as [string, string];
      assert.equal((BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`), lsnOf(lastState(first), `${database.name}-public-t`), `slot of ${database.name}`);
    }
    const third = await run(state);
    assert.deepEqual(records(third.lines), []);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
