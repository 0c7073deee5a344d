import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { collectText, lineReader } from '../harness/line-reader.js';
import { spawnTap } from '../harness/run-cli.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';
import { createSlot } from '../harness/test-plugin.js';

/**
 * SIGTERM through the real CLI: during a large full-table copy and during a log-based run that
 * is streaming changes. The run must exit 143 with a last STATE that covers exactly what it
 * wrote, and a restart from that STATE must deliver everything else. A second SIGTERM ends a
 * run at once even when its graceful stop is stuck (a target that stopped reading).
 */
const ROWS = 520_000;
const INSERT_TXNS = 40;
const INSERTS_PER_TXN = 1000;
const UPDATE_TXNS = 10;
const UPDATES_PER_TXN = 500;
const DELETE_TXNS = 5;
const DELETES_PER_TXN = 200;

let db: TestDatabase;
let bigCatalog: CatalogJson;
let feedCatalog: CatalogJson;
let bigId: string;
let feedId: string;

interface Message { type: string; stream?: string; record?: Record<string, unknown>; version?: number; value?: StateValue }
interface StateValue { currently_syncing: string | null; bookmarks: Record<string, Record<string, unknown>> }
interface LogLine { level: number; msg: string; [key: string]: unknown }

interface Watched {
  child: ChildProcessWithoutNullStreams;
  /** Resolves once `count` RECORD lines were read. */
  records(count: number): Promise<void>;
  /** When the process ended (its pipes may still hold output). */
  exited: Promise<number | null>;
  /** Resolves once stderr says `pattern`. */
  said(pattern: RegExp): Promise<void>;
  /** When the process ended and its output was read; `tail` is an unfinished last stdout line. */
  done: Promise<{ code: number | null; stderr: string; tail: string }>;
}

before(async () => {
  db = await createTestDatabase('graceful_stop');
  await db.query(`
    CREATE TABLE big AS SELECT g AS id, md5(g::text) AS body FROM generate_series(1, ${ROWS}) g;
    ALTER TABLE big ADD PRIMARY KEY (id);
    CREATE TABLE feed (id int PRIMARY KEY, note text NOT NULL);
    INSERT INTO feed SELECT g, 'seed' FROM generate_series(1, 100) g;
    GRANT SELECT ON big, feed TO tapuser;
  `);
  await createSlot((sql, params) => db.query(sql, params), `stitch_${db.name}`);
  bigId = `${db.name}-public-big`;
  feedId = `${db.name}-public-feed`;
  const catalog = await discoverCatalog(db.tapConfig());
  bigCatalog = selectInCatalog(catalog, { [bigId]: {} });
  feedCatalog = selectInCatalog(catalog, { [feedId]: { method: 'LOG_BASED' } });
});

after(async () => {
  await db?.close();
});

/**
 * Runs the tap, handing each stdout message to `onMessage` as it arrives (nothing is kept, so
 * 500k+ lines cost no memory).
 */
function watchTap(config: Record<string, unknown>, catalog: CatalogJson, state: unknown, onMessage: (message: Message) => void, extraArgs: string[] = []): Watched {
  const files: Record<string, unknown> = { config, catalog };
  const args = ['--config', '@config', '--catalog', '@catalog', ...extraArgs];
  if (state !== undefined) {
    files.state = state;
    args.push('--state', '@state');
  }
  const child = spawnTap(args, { files });
  let seen = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const stdout = lineReader(child.stdout, (line) => {
    const message = JSON.parse(line) as Message;
    onMessage(message);
    if (message.type !== 'RECORD') return;
    seen++;
    for (const waiter of waiters.filter((w) => seen >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const stderr = collectText(child.stderr);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const exitedOrClosed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  /** Resolves once stderr says `pattern`. */
  const said = async (pattern: RegExp): Promise<void> => {
    let ended = false;
    void exitedOrClosed.then(() => { ended = true; });
    while (!pattern.test(stderr.text)) {
      if (ended) throw new Error(`the tap ended without saying ${String(pattern)}:\n${stderr.text}`);
      await Promise.race([new Promise((resolve) => child.stderr.once('data', resolve)), exitedOrClosed]);
    }
  };
  const done = new Promise<{ code: number | null; stderr: string; tail: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stderr: stderr.text, tail: stdout.tail }));
  });
  return {
    child,
    exited,
    said,
    done,
    records: (count) => new Promise<void>((resolve, reject) => {
      if (seen >= count) return resolve();
      waiters.push({ count, resolve });
      void done.then(({ stderr: text }) => reject(new Error(`the tap ended after ${seen} of ${count} records:\n${text}`)));
    }),
  };
}

function logLines(stderr: string): LogLine[] {
  return stderr.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as LogLine);
}

test('SIGTERM during a large full-table copy: exit 143, the last STATE is the last RECORD\'s key, a restart delivers the rest', async (t) => {
  const seen = new Uint8Array(ROWS + 1);
  const config = db.tapConfig({ state_interval_rows: 10_000_000 });
  const reportPath = join(mkdtempSync(join(tmpdir(), 'tap-stop-')), 'report.json');

  let order: 'RECORD' | 'STATE' | null = null;
  let lastRecordId = 0;
  let contiguous = true;
  let version: number | undefined;
  const states: StateValue[] = [];
  const first = watchTap(config, bigCatalog, undefined, (message) => {
    order = message.type === 'RECORD' ? 'RECORD' : message.type === 'STATE' ? 'STATE' : order;
    if (message.type === 'STATE') states.push(message.value!);
    if (message.type !== 'RECORD') return;
    const id = message.record!.id as number;
    if (id !== lastRecordId + 1) contiguous = false;
    lastRecordId = id;
    seen[id]! += 1;
    version = message.version;
  }, ['--report', reportPath]);
  await first.records(40_000);
  first.child.kill('SIGTERM');
  const stopped = await first.done;
  assert.equal(stopped.code, 143, stopped.stderr);
  assert.equal(stopped.tail, '', 'stdout ends with a complete line');
  assert.ok(lastRecordId < ROWS, `the copy was stopped part way (last id ${lastRecordId})`);
  t.diagnostic(`stopped after ${lastRecordId} of ${ROWS} rows`);
  assert.ok(contiguous, 'rows arrive in key order');
  assert.equal(order, 'STATE', 'the final STATE comes after the last RECORD');
  // state_interval_rows is larger than the table: the only STATEs are the start one and the stop one.
  assert.equal(states.length, 2, JSON.stringify(states));
  assert.equal(states[0]!.bookmarks[bigId]?.last_pk_fetched, undefined);
  const last = states[1]!;
  assert.deepEqual(last.bookmarks[bigId]?.last_pk_fetched, { id: lastRecordId }, 'the last STATE covers exactly the rows written');
  assert.equal(last.bookmarks[bigId]?.version, version);
  assert.equal(last.currently_syncing, bigId);

  const logs = logLines(stopped.stderr);
  assert.ok(logs.some((line) => line.level === 40 && /^SIGTERM received/.test(line.msg)), 'the stop is logged');
  const end = logs.find((line) => line.tap_stream_id === bigId && line.rows !== undefined);
  assert.equal(end?.status, 'interrupted');
  assert.equal(end?.rows, lastRecordId);
  const interrupted = logs.find((line) => line.code === 'INTERRUPTED');
  assert.equal(interrupted?.exit_code, 143);
  assert.ok(!logs.some((line) => line.level >= 50), 'an interrupted run logs no error');
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { status: string; exit_code: number; records: number; streams: { status: string; records: number }[] };
  assert.deepEqual([report.status, report.exit_code, report.records], ['interrupted', 143, lastRecordId]);
  assert.deepEqual(report.streams.map((stream) => [stream.status, stream.records]), [['interrupted', lastRecordId]]);

  let resumedFirst = 0;
  let resumedVersion: number | undefined;
  const second = watchTap(config, bigCatalog, last, (message) => {
    if (message.type !== 'RECORD') return;
    const id = message.record!.id as number;
    resumedFirst ||= id;
    resumedVersion = message.version;
    seen[id]! += 1;
  });
  const resumed = await second.done;
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(resumedFirst, lastRecordId + 1, 'the restart continues right after the last key written');
  assert.equal(resumedVersion, version, 'the restart continues the same table version');
  const missing = seen.findIndex((count, id) => id > 0 && count === 0);
  const twice = seen.findIndex((count) => count > 1);
  assert.equal(missing, -1, `row ${missing} reached neither run`);
  assert.equal(twice, -1, `row ${twice} was sent twice`);
});

/** The changes made after the first copy, each as `kind:id:note`; every one must reach a run. */
async function makeChanges(): Promise<{ all: Set<string>; txnOf: Map<string, number> }> {
  const all = new Set<string>();
  const txnOf = new Map<string, number>();
  let txn = 0;
  const add = (key: string): void => {
    all.add(key);
    txnOf.set(key, txn);
  };
  // One transaction per loop turn (COMMIT inside DO), so the stream has many commit points.
  await db.query(`DO $$ BEGIN
    FOR b IN 0..${INSERT_TXNS - 1} LOOP
      INSERT INTO feed SELECT 1000 + b * ${INSERTS_PER_TXN} + g, 'insert ' || b FROM generate_series(1, ${INSERTS_PER_TXN}) g; COMMIT;
    END LOOP;
    FOR b IN 0..${UPDATE_TXNS - 1} LOOP
      UPDATE feed SET note = 'update ' || b WHERE id BETWEEN 1001 + b * ${UPDATES_PER_TXN} AND 1000 + (b + 1) * ${UPDATES_PER_TXN}; COMMIT;
    END LOOP;
    FOR b IN 0..${DELETE_TXNS - 1} LOOP
      DELETE FROM feed WHERE id BETWEEN 30001 + b * ${DELETES_PER_TXN} AND 30000 + (b + 1) * ${DELETES_PER_TXN}; COMMIT;
    END LOOP;
  END $$`);
  for (let b = 0; b < INSERT_TXNS; b++, txn++) for (let g = 1; g <= INSERTS_PER_TXN; g++) add(`I:${1000 + b * INSERTS_PER_TXN + g}:insert ${b}`);
  for (let b = 0; b < UPDATE_TXNS; b++, txn++) for (let g = 1; g <= UPDATES_PER_TXN; g++) add(`U:${1000 + b * UPDATES_PER_TXN + g}:update ${b}`);
  for (let b = 0; b < DELETE_TXNS; b++, txn++) for (let g = 1; g <= DELETES_PER_TXN; g++) add(`D:${30000 + b * DELETES_PER_TXN + g}`);
  return { all, txnOf };
}

function changeKey(record: Record<string, unknown>): string {
  if (record._sdc_deleted_at !== null && record._sdc_deleted_at !== undefined) return `D:${String(record.id)}`;
  const note = String(record.note);
  return `${note.startsWith('update') ? 'U' : 'I'}:${String(record.id)}:${note}`;
}

/**
 * Resolves once the feed slot's walsender waits to write: its reader (the tap) stopped reading.
 * Fails after `seconds` rather than hanging the file (socket buffers that swallow all the WAL
 * would never make the walsender wait).
 */
async function walsenderWaiting(seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const rows = await db.query<{ waiting: boolean }>("SELECT bool_or(lower(wait_event) = 'walsenderwritedata') AS waiting FROM pg_stat_activity WHERE backend_type = 'walsender' AND datname = $1", [db.name]);
    if (rows[0]?.waiting === true) return;
    if (Date.now() > deadline) throw new Error(`the walsender never waited to write within ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('SIGTERM during a log-based run streaming changes: exit 143, a restart from its last STATE delivers every change; a second SIGTERM exits at once', async (t) => {
  // First run: the initial copy, which gives the stream its lsn bookmark.
  let copyState: StateValue | undefined;
  let copied = 0;
  const copy = watchTap(db.tapConfig({ logical_poll_total_seconds: 2 }), feedCatalog, undefined, (message) => {
    if (message.type === 'STATE') copyState = message.value;
    if (message.type === 'RECORD') copied++;
  });
  const copyDone = await copy.done;
  assert.equal(copyDone.code, 0, copyDone.stderr);
  assert.equal(copied, 100);
  assert.ok(copyState?.bookmarks[feedId]?.lsn !== undefined, 'the copy ends with an lsn bookmark');

  const { all, txnOf } = await makeChanges();
  const streaming = db.tapConfig({ break_at_end_lsn: false, logical_poll_total_seconds: 120 });
  const firstKeys = new Set<string>();
  let stopState: StateValue | undefined;
  let order: string | null = null;
  const first = watchTap(streaming, feedCatalog, copyState, (message) => {
    order = message.type;
    if (message.type === 'STATE') stopState = message.value;
    if (message.type === 'RECORD') firstKeys.add(changeKey(message.record!));
  });
  await first.records(15_000);
  first.child.kill('SIGTERM');
  const stopped = await first.done;
  assert.equal(stopped.code, 143, stopped.stderr);
  assert.equal(stopped.tail, '', 'stdout ends with a complete line');
  assert.doesNotMatch(stopped.stderr, /logical_poll_total_seconds\)/, 'the stop does not wait for logical_poll_total_seconds');
  assert.ok(firstKeys.size < all.size, `stopped mid-stream (${firstKeys.size} of ${all.size} changes)`);
  assert.equal(order, 'STATE', 'the final STATE comes after the last RECORD');
  const logs = logLines(stopped.stderr);
  assert.ok(logs.some((line) => /stopped after \d+ changes: stop requested \(SIGTERM\)/.test(line.msg)), stopped.stderr);
  assert.equal(logs.find((line) => line.tap_stream_id === feedId && line.rows !== undefined)?.status, 'interrupted');
  assert.ok(BigInt(stopState!.bookmarks[feedId]!.lsn as number) > BigInt(copyState!.bookmarks[feedId]!.lsn as number), "the stop STATE moved past the copy");

  const secondKeys = new Set<string>();
  const second = watchTap(db.tapConfig({ logical_poll_total_seconds: 2 }), feedCatalog, stopState, (message) => {
    if (message.type === 'RECORD') secondKeys.add(changeKey(message.record!));
  });
  const resumed = await second.done;
  assert.equal(resumed.code, 0, resumed.stderr);
  const missing = [...all].filter((key) => !firstKeys.has(key) && !secondKeys.has(key));
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} changes reached neither run`);
  const unexpected = [...firstKeys, ...secondKeys].filter((key) => !all.has(key));
  assert.deepEqual(unexpected.slice(0, 10), [], 'no change that was not made');
  // The last STATE covered only whole transactions written: what the restart sends again is at
  // most the one transaction that was in flight when the signal came.
  const again = [...firstKeys].filter((key) => secondKeys.has(key));
  t.diagnostic(`${all.size} changes: ${firstKeys.size} before the stop, ${secondKeys.size} after the restart, ${again.length} sent by both`);
  assert.ok(new Set(again.map((key) => txnOf.get(key))).size <= 1, `re-sent changes span one transaction at most: ${again.length} re-sent`);

  // A stop that cannot finish (the reader stopped reading, so the final STATE cannot be
  // written) is ended by a second SIGTERM at once.
  // (From the state the second run started from: the slot is confirmed up to it, and an older
  // state would be refused as behind the slot.) Far more WAL than any socket buffer holds (TCP
  // receive buffers grow to tens of MB), so the walsender must end up waiting on the tap.
  await db.query(`INSERT INTO feed SELECT 100000 + g, repeat('x', 300) FROM generate_series(1, 300000) g`);
  const stuck = watchTap(streaming, feedCatalog, stopState, () => undefined);
  await stuck.records(2000);
  stuck.child.stdout.pause();
  // Stuck for real: the walsender waits to write because the tap waits on its full stdout.
  await walsenderWaiting();
  stuck.child.kill('SIGTERM');
  await stuck.said(/SIGTERM received/);
  assert.equal(stuck.child.exitCode, null, 'the graceful stop waits for the reader');
  stuck.child.kill('SIGTERM');
  const code = await stuck.exited;
  stuck.child.stdout.resume();
  const ended = await stuck.done;
  assert.equal(code, 143, ended.stderr);
  assert.match(ended.stderr, /second SIGTERM: exiting now/);
});
