import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { messagesOfType, records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';
import { lastState, logBasedDatabase, lsnOf, lsnValue, QUICK, syncOk, type StateValue } from './log-based-helpers.js';
import { createSlot } from '../harness/test-plugin.js';

/**
 * LSN discipline through the real CLI: bookmarks move only at commits, the slot is confirmed
 * only to the input state's position (never one merely emitted), a restart from any STATE line
 * re-delivers exactly what followed it, and the slot is found by slot_name, stitch_<db>, stitch.
 */
let db: TestDatabase;
let catalog: CatalogJson;
const id = (table: string): string => `${db.name}-public-${table}`;

before(async () => {
  db = await logBasedDatabase('log_based_lsn');
  await db.query(`
    CREATE TABLE ledger (id int PRIMARY KEY, txn int, v text);
    INSERT INTO ledger SELECT g, 0, 'copy' FROM generate_series(1, 5) g;
    CREATE TABLE flushes (id int PRIMARY KEY);
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO tapuser;
  `);
  catalog = await discoverCatalog(db.tapConfig());
});

after(async () => {
  await db?.close();
});

async function confirmedFlush(database: TestDatabase, slot = `stitch_${database.name}`): Promise<bigint> {
  const rows = await database.query<{ lsn: string }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  assert.equal(rows.length, 1, `slot ${slot} exists`);
  return lsnValue(rows[0]!.lsn);
}

/** Commits `count` transactions of `rows` inserts each into ledger, ids from `from`. */
async function commitTransactions(from: number, count: number, rows: number): Promise<void> {
  for (let t = 0; t < count; t++) {
    const first = from + t * rows;
    await db.query(`INSERT INTO ledger SELECT g, ${first}, 'txn' FROM generate_series(${first}, ${first + rows - 1}) g`);
  }
}

test('the slot is confirmed exactly to the input state\'s lsn, never to an lsn only emitted', async () => {
  const selected = selectInCatalog(catalog, { [id('flushes')]: { method: 'LOG_BASED' } });
  const initial = await confirmedFlush(db);
  const first = await syncOk(db, selected);
  assert.equal(await confirmedFlush(db), initial, 'run 1 had no input lsn: the slot is not confirmed at all');
  const lsn1 = lsnOf(lastState(first), id('flushes'));
  assert.ok(lsn1 > initial);

  await db.query('INSERT INTO flushes VALUES (1); INSERT INTO flushes VALUES (2)');
  const second = await syncOk(db, selected, lastState(first));
  assert.deepEqual(records(second.lines).map((r) => r.id), [1, 2], second.stderr);
  const lsn2 = lsnOf(lastState(second), id('flushes'));
  assert.ok(lsn2 > lsn1, 'run 2 emitted a later lsn');
  assert.equal(await confirmedFlush(db), lsn1, 'confirmed_flush_lsn = the input lsn exactly (the tap hands the library lsn - 1, which reports position + 1), not run 2\'s own lsn');

  const third = await syncOk(db, selected, lastState(second));
  assert.deepEqual(records(third.lines), []);
  assert.equal(await confirmedFlush(db), lsn2, 'run 3 confirms what run 2 handed over');

  // Run 2's state was handed over and confirmed: run 1's state is now older than the slot, and the
  // server would silently start at the slot's position, so the tap refuses it.
  const again = await runSync(db.tapConfig(QUICK), selected, lastState(first));
  assert.equal(again.code, 1, again.stderr);
  assert.match(again.stderr, /STATE_LSN_BEHIND_SLOT/);
  assert.deepEqual(records(again.lines), []);
  assert.equal(await confirmedFlush(db), lsn2, 'an older input state never moves the slot back');
});

test('a restart from any STATE line re-delivers exactly the changes after it, never skipping one', async () => {
  const selected = selectInCatalog(catalog, { [id('ledger')]: { method: 'LOG_BASED' } });
  const first = await syncOk(db, selected, undefined, { state_interval_rows: 3 });
  assert.equal(records(first.lines).length, 5);
  await commitTransactions(100, 12, 4);
  await db.query("UPDATE ledger SET v = 'updated' WHERE id BETWEEN 100 AND 120; DELETE FROM ledger WHERE id BETWEEN 130 AND 135");
  const second = await syncOk(db, selected, lastState(first), { state_interval_rows: 3 });

  type Line = { type: string; record?: Record<string, unknown>; value?: StateValue };
  const lines = second.lines as Line[];
  const key = (r: Record<string, unknown>): string => `${String(r.id)}:${String(r.v ?? 'deleted')}`;
  const stateAt = lines.flatMap((line, index) => (line.type === 'STATE' ? [index] : []));
  const all = records(second.lines).map(key);
  assert.equal(all.length, 48 + 21 + 6);
  assert.ok(stateAt.length >= 10, `a STATE at least every 3 records, at commits (${stateAt.length})`);

  // Bookmarks only move at commits: every STATE's lsn is a commit of the transactions read.
  const lsns = stateAt.map((index) => lsnOf(lines[index]!.value!, id('ledger')));
  for (let i = 1; i < lsns.length; i++) assert.ok(lsns[i]! >= lsns[i - 1]!, 'lsn never goes back');

  const picks = [...new Set([stateAt[0]!, stateAt[Math.floor(stateAt.length / 3)]!, stateAt[Math.floor(stateAt.length / 2)]!, stateAt.at(-2)!])].sort((a, b) => a - b);
  for (const at of picks) {
    const after = lines.slice(at + 1).filter((line) => line.type === 'RECORD').map((line) => key(line.record!));
    const rerun = await syncOk(db, selected, lines[at]!.value, { state_interval_rows: 3 });
    const again = records(rerun.lines).map(key);
    assert.deepEqual(again, after, `rerun from the STATE at line ${at + 1}: exactly the records that followed it`);
    const before = lines.slice(0, at).filter((line) => line.type === 'RECORD').map((line) => key(line.record!));
    assert.deepEqual([...before, ...again].sort(), [...all].sort(), 'union of before + rerun is every change');
  }
  assert.equal(messagesOfType(second.lines, 'ACTIVATE_VERSION').length, 0, 'no copy on a later run');
});

test('the slot is found by slot_name, else stitch_<db>, else stitch', async () => {
  const other = await createTestDatabase('log_based_slot_names');
  try {
    await other.query('CREATE TABLE t (id int PRIMARY KEY); GRANT SELECT ON t TO tapuser');
    await createSlot((sql, params) => other.query(sql, params), 'stitch');
    const selected = selectInCatalog(await discoverCatalog(other.tapConfig()), { [`${other.name}-public-t`]: { method: 'LOG_BASED' } });
    const first = await syncOk(other, selected);
    await other.query('INSERT INTO t VALUES (1)');
    const second = await syncOk(other, selected, lastState(first));
    assert.deepEqual(records(second.lines).map((r) => r.id), [1]);
    assert.equal(await confirmedFlush(other, 'stitch'), lsnOf(lastState(first), `${other.name}-public-t`), 'read through the slot "stitch"');

    await createSlot((sql, params) => other.query(sql, params), 'my_slot');
    await createSlot((sql, params) => other.query(sql, params), `stitch_${other.name}`);
    const stitchBefore = await confirmedFlush(other, 'stitch');
    const lsnOfT = (result: Awaited<ReturnType<typeof syncOk>>): bigint => lsnOf(lastState(result), `${other.name}-public-t`);
    await other.query('INSERT INTO t VALUES (2)');
    // A slot created after the state was written cannot send what came before it: a fresh copy.
    const third = await syncOk(other, selected, undefined, { slot_name: 'my_slot' });
    assert.deepEqual(records(third.lines).map((r) => r.id), [1, 2]);
    const fourth = await syncOk(other, selected, lastState(third), { slot_name: 'my_slot' });
    assert.equal(await confirmedFlush(other, 'my_slot'), lsnOfT(third), 'slot_name wins: my_slot was read and confirmed');
    assert.equal(await confirmedFlush(other, 'stitch'), stitchBefore, '"stitch" untouched while slot_name is set');
    await syncOk(other, selected, lastState(fourth));
    assert.equal(await confirmedFlush(other, `stitch_${other.name}`), lsnOfT(fourth), 'without slot_name, stitch_<db> is preferred to stitch');
    assert.equal(await confirmedFlush(other, 'stitch'), stitchBefore);
  } finally {
    await other.close();
  }
});
