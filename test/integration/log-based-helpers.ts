// Shared steps of the LOG_BASED integration tests: a database with its slot, a sync through the
// real CLI, the last STATE, exact record fields, and the table state rebuilt from records.
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { messagesOfType, type CatalogJson } from '../harness/catalog-select.js';
import { parseExact as parseExactJson } from '../harness/exact-json.js';
import { collectText, lineReader } from '../harness/line-reader.js';
import { spawnTap, type TapResult } from '../harness/run-cli.js';
import { assertSingerStream } from '../harness/singer-assert.js';
import { runSync } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';
import { createSlot } from '../harness/test-plugin.js';

export interface StateValue { currently_syncing: string | null; bookmarks: Record<string, Record<string, unknown>> }
export interface Message { type: string; stream?: string; record?: Record<string, unknown>; version?: number; value?: StateValue }

/**
 * Runs end when the tap catches up with the WAL end captured at start (break_at_end_lsn, the
 * default, seen in the server's keepalive), which takes well under a second here. The idle limit
 * is only a backstop: it also counts time the server spends decoding other WAL before sending
 * anything (reported), so it must not be short on a busy test server.
 */
export const QUICK = { logical_poll_total_seconds: 10 };

/** A test database with the slot the tap looks for first (`stitch_<db>`). */
export async function logBasedDatabase(name: string, options: { encoding?: string } = {}): Promise<TestDatabase> {
  const db = await createTestDatabase(name, options);
  await createSlot((sql, params) => db.query(sql, params), `stitch_${db.name}`);
  return db;
}

/**
 * The harness runs with synchronous_commit=off, so a commit can still sit in WAL buffers when the
 * next step looks at the WAL (pg_replication_slot_advance clamps to the flushed position). A
 * synchronous commit of a transaction that wrote no WAL flushes nothing, so this waits until the
 * flushed position reaches the insert position as it was when called (the WAL writer gets there
 * within wal_writer_delay, or, after ~100 MB of large values on a loaded machine, some seconds later:
 * one wait of 10 s was seen to run out).
 */
export async function flushWal(db: TestDatabase): Promise<void> {
  const [{ lsn }] = await db.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
  for (let attempt = 0; attempt < 2400; attempt++) {
    const [{ flushed }] = await db.query<{ flushed: boolean }>('SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn AS flushed', [lsn]);
    if (flushed) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the WAL was not flushed up to ${lsn} within 60 s`);
}

/** A sync that must succeed and produce a valid Singer stream. */
export async function syncOk(db: TestDatabase, catalog: CatalogJson, state?: unknown, overrides: Record<string, unknown> = {}): Promise<TapResult> {
  await flushWal(db);
  const result = await runSync(db.tapConfig({ ...QUICK, ...overrides }), catalog, state);
  assert.equal(result.code, 0, result.stderr);
  assertSingerStream(result.lines);
  return result;
}

export function lastState(result: TapResult): StateValue {
  const states = messagesOfType<{ value: StateValue }>(result.lines, 'STATE');
  assert.ok(states.length > 0, 'the run printed a STATE');
  return states.at(-1)!.value;
}

export function lsnOf(state: StateValue, streamId: string): bigint {
  const lsn = state.bookmarks[streamId]?.lsn;
  assert.ok(typeof lsn === 'number' || typeof lsn === 'string', `stream ${streamId} has an lsn bookmark: ${JSON.stringify(state.bookmarks[streamId])}`);
  return BigInt(lsn);
}

/** The server's LSN text ('16/B374D848') as a number. */
export function lsnValue(text: string): bigint {
  const [high, low] = text.split('/') as [string, string];
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

/** A line with every number as its exact text. */
export function parseExact(line: string): Message {
  return parseExactJson(line) as Message;
}

export function exactRecords(result: TapResult, stream: string): Record<string, unknown>[] {
  return result.stdout.split('\n').filter((line) => line.startsWith('{"type":"RECORD"')).map(parseExact)
    .filter((m) => m.stream === stream).map((m) => m.record!);
}

/**
 * A target's view of a table: records applied in order, last one per key wins, a record with
 * `_sdc_deleted_at` removes its key; ACTIVATE_VERSION of a new version drops older rows.
 */
export function rebuild(lines: unknown[], stream: string, key: (record: Record<string, unknown>) => string, table = new Map<string, Record<string, unknown>>()): Map<string, Record<string, unknown>> {
  const versions = new Map<string, number>();
  for (const message of lines as Message[]) {
    if (message.stream !== stream) continue;
    if (message.type === 'RECORD') {
      const record = message.record!;
      if (record._sdc_deleted_at !== null && record._sdc_deleted_at !== undefined) table.delete(key(record));
      else table.set(key(record), record);
      if (message.version !== undefined) versions.set(key(record), message.version);
    }
    if (message.type === 'ACTIVATE_VERSION') {
      for (const k of [...table.keys()]) if (versions.has(k) && versions.get(k)! < message.version!) table.delete(k);
    }
  }
  return table;
}

/**
 * Moves the slot to the current WAL end, so a later run's walsender does not first decode the
 * WAL of earlier tests (tables created and filled in before()). Only before a first (copy) run.
 */
export async function advanceSlot(db: TestDatabase, slot = `stitch_${db.name}`): Promise<void> {
  await flushWal(db);
  await db.query('SELECT pg_replication_slot_advance($1, pg_current_wal_lsn())', [slot]);
}

/** Resolves once the walsender on `slot` has decoded and sent everything up to the current WAL end. */
export async function caughtUp(db: TestDatabase, slot = `stitch_${db.name}`, timeoutMs = 60_000): Promise<void> {
  await flushWal(db);
  const [{ target }] = await db.query<{ target: string }>('SELECT pg_current_wal_lsn()::text AS target');
  // Other test files share the server and may write gigabytes of WAL that this walsender must read
  // through first: only a walsender that stops moving for timeoutMs fails the wait.
  let until = Date.now() + timeoutMs;
  let lastSent: string | null = null;
  for (;;) {
    const rows = await db.query<{ done: boolean; sent: string }>(
      `SELECT r.sent_lsn >= $2::pg_lsn AS done, r.sent_lsn::text AS sent FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid WHERE s.slot_name = $1`, [slot, target]);
    if (rows[0]?.done === true) return;
    if (rows[0] !== undefined && rows[0].sent !== lastSent) {
      lastSent = rows[0].sent;
      until = Date.now() + timeoutMs;
    }
    assert.ok(Date.now() < until, `the walsender of ${slot} reached ${target} (it stopped at ${lastSent ?? 'no active walsender'} for ${timeoutMs} ms)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves once the tap's replication session holds the slot (it is streaming). */
export async function slotActive(db: TestDatabase, slot = `stitch_${db.name}`, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await db.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]))[0]?.active !== true) {
    assert.ok(Date.now() < until, `slot ${slot} became active within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A running tap whose stdout is collected line by line. */
export interface RunningTap {
  child: ChildProcessWithoutNullStreams;
  lines: Message[];
  /** Resolves once a line matching `predicate` has been printed. */
  waitFor(predicate: (message: Message) => boolean, timeoutMs?: number): Promise<void>;
  /** What the tap has printed on stderr so far. */
  stderr(): string;
  /** Resolves with exit code and stderr when the tap ends. */
  done: Promise<{ code: number | null; stderr: string; stdout: string }>;
}

export function startTap(db: TestDatabase, catalog: CatalogJson, state: unknown, overrides: Record<string, unknown> = {}): RunningTap {
  const files: Record<string, unknown> = { config: db.tapConfig({ ...QUICK, ...overrides }), catalog };
  const args = ['--config', '@config', '--catalog', '@catalog'];
  if (state !== undefined && state !== null) {
    files.state = state;
    args.push('--state', '@state');
  }
  const child = spawnTap(args, { files });
  const lines: Message[] = [];
  const waiters: { predicate: (m: Message) => boolean; resolve: () => void }[] = [];
  let stdout = '';
  const reader = lineReader(child.stdout, (line) => {
    stdout += line + '\n';
    const message = JSON.parse(line) as Message;
    lines.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const stderr = collectText(child.stderr);
  if (process.env.TAP_STDERR) child.stderr.on('data', (text: string) => { process.stderr.write(text); });
  const done = new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stderr: stderr.text, stdout: stdout + reader.tail }));
  });
  return {
    child,
    lines,
    done,
    stderr: () => stderr.text,
    waitFor(predicate, timeoutMs = 60_000) {
      if (lines.some(predicate)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching line within ${timeoutMs} ms; stderr:\n${stderr.text.slice(-2000)}`)), timeoutMs);
        waiters.push({ predicate, resolve: () => { clearTimeout(timer); resolve(); } });
        void done.then(() => { clearTimeout(timer); if (!lines.some(predicate)) reject(new Error(`the tap ended without a matching line; stderr:\n${stderr.text.slice(-2000)}`)); });
      });
    },
  };
}
