import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { messagesOfType, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { runTap, type TapResult } from '../harness/run-cli.js';
import { assertSingerStream } from '../harness/singer-assert.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

/**
 * `--report FILE` and the extraction logs, through the real CLI: for a run over three streams
 * (full table, incremental, log-based) the report's counts equal the RECORD lines on stdout, the
 * stderr start/end lines and METRIC lines say the same, and a failed run still leaves a report.
 */
interface StreamReport {
  tap_stream_id: string; stream: string; database: string; method: string; status: string; records: number;
  inserts?: number; updates?: number; deletes?: number; bytes: number; bookmark_before: unknown; bookmark_after: unknown;
  started_at: string; finished_at: string | null; duration_ms: number | null; warnings: string[];
}
interface Report {
  started_at: string; finished_at: string; exit_code: number; status: string;
  error: { code: string; message: string; hint: string } | null; records: number; streams: StreamReport[]; warnings: string[];
}
interface LogLine { level: number; msg: string; [key: string]: unknown }
interface Record_ { type: string; stream: string; record: Record<string, unknown> }
interface StateValue { currently_syncing: string | null; bookmarks: Record<string, Record<string, unknown>> }

const ORDERS = 23_456;
const EVENTS = 12_345;
const QUICK = { logical_poll_total_seconds: 2, state_interval_rows: 5000 };

let db: TestDatabase;
let catalog: CatalogJson;
let ids: { orders: string; events: string; accounts: string; vanished: string };

before(async () => {
  db = await createTestDatabase('run_report');
  await db.query(`
    CREATE TABLE orders AS SELECT g AS id, 'order ' || g AS note, g * 1.5 AS amount FROM generate_series(1, ${ORDERS}) g;
    ALTER TABLE orders ADD PRIMARY KEY (id);
    CREATE TABLE events AS SELECT g AS id, timestamptz '2024-01-01' + g * interval '1 second' AS updated_at FROM generate_series(1, ${EVENTS}) g;
    ALTER TABLE events ADD PRIMARY KEY (id);
    CREATE TABLE accounts (id int PRIMARY KEY, name text);
    INSERT INTO accounts SELECT g, 'account ' || g FROM generate_series(1, 40) g;
    CREATE TABLE vanished (id int PRIMARY KEY);
    GRANT SELECT ON orders, events, accounts, vanished TO tapuser;
  `);
  await db.query("SELECT pg_create_logical_replication_slot('stitch_' || current_database(), 'wal2json')");
  const n = db.name;
  ids = { orders: `${n}-public-orders`, events: `${n}-public-events`, accounts: `${n}-public-accounts`, vanished: `${n}-public-vanished` };
  catalog = await discoverCatalog(db.tapConfig());
});

after(async () => {
  await db?.close();
});

function multiStream(): CatalogJson {
  return selectInCatalog(catalog, {
    [ids.orders]: {},
    [ids.events]: { method: 'INCREMENTAL', replicationKey: 'updated_at' },
    [ids.accounts]: { method: 'LOG_BASED' },
  });
}

async function syncWithReport(syncCatalog: CatalogJson, state?: unknown): Promise<{ result: TapResult; report: Report }> {
  const reportPath = join(mkdtempSync(join(tmpdir(), 'tap-report-')), 'report.json');
  const files: Record<string, unknown> = { config: db.tapConfig(QUICK), catalog: syncCatalog };
  const args = ['--config', '@config', '--catalog', '@catalog', '--report', reportPath];
  if (state !== undefined) {
    files.state = state;
    args.push('--state', '@state');
  }
  const result = await runTap(args, { files });
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
  return { result, report };
}

function recordLines(result: TapResult, stream: string): string[] {
  return result.stdout.split('\n').filter((line) => line.startsWith('{"type":"RECORD"') && (JSON.parse(line) as Record_).stream === stream);
}

function logLines(result: TapResult): LogLine[] {
  return result.stderr.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as LogLine);
}

function lastState(result: TapResult): StateValue {
  return messagesOfType<{ value: StateValue }>(result.lines, 'STATE').at(-1)!.value;
}

function streamReport(report: Report, tapStreamId: string): StreamReport {
  const entry = report.streams.find((stream) => stream.tap_stream_id === tapStreamId);
  assert.ok(entry !== undefined, `report has ${tapStreamId}: ${JSON.stringify(report.streams.map((s) => s.tap_stream_id))}`);
  return entry;
}

/** The report entry, the stderr end line and the METRIC lines of a stream all match its stdout. */
function assertStreamAccounted(result: TapResult, report: Report, tapStreamId: string, stream: string, method: string): StreamReport {
  const lines = recordLines(result, stream);
  const entry = streamReport(report, tapStreamId);
  assert.equal(entry.records, lines.length, `${tapStreamId}: report records = RECORD lines on stdout`);
  assert.equal(entry.bytes, lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0), `${tapStreamId}: report bytes = RECORD bytes on stdout`);
  assert.equal(entry.stream, stream);
  assert.equal(entry.method, method);
  assert.equal(entry.database, db.name);
  assert.equal(entry.status, 'complete');
  assert.deepEqual(entry.bookmark_after, lastState(result).bookmarks[tapStreamId], `${tapStreamId}: bookmark_after is the last STATE's`);
  assert.ok(entry.finished_at !== null && Date.parse(entry.finished_at) >= Date.parse(entry.started_at));
  assert.ok(typeof entry.duration_ms === 'number' && entry.duration_ms >= 0);

  const logs = logLines(result);
  const start = logs.filter((line) => line.tap_stream_id === tapStreamId && /started/.test(line.msg));
  assert.equal(start.length, 1, `one start line for ${tapStreamId}`);
  assert.equal(start[0]!.msg, `stream ${tapStreamId} started (${method}, database ${db.name})`);
  assert.equal(start[0]!.method, method);
  assert.equal(start[0]!.database, db.name);
  assert.deepEqual(start[0]!.bookmark_before, entry.bookmark_before);
  const end = logs.filter((line) => line.tap_stream_id === tapStreamId && line.rows !== undefined);
  assert.equal(end.length, 1, `one end line for ${tapStreamId}`);
  const e = end[0]!;
  assert.equal(e.status, 'complete');
  assert.equal(e.rows, lines.length);
  assert.equal(e.bytes, entry.bytes);
  assert.equal(e.ms, entry.duration_ms);
  assert.equal(typeof e.rows_per_second, 'number');
  assert.equal(e.rows_per_second, e.ms === 0 ? e.rows : Math.round(((e.rows as number) * 1000) / (e.ms as number)));
  assert.deepEqual(e.bookmark_before, entry.bookmark_before);
  assert.deepEqual(e.bookmark_after, entry.bookmark_after);
  assert.match(e.msg, new RegExp(`^stream ${tapStreamId} finished: ${lines.length} rows.*, ${entry.bytes} bytes in \\d+ ms \\(\\d+ rows/s\\); bookmark .+ → .+$`));

  const metrics = logs.filter((line) => line.msg.startsWith('METRIC: ')).map((line) => JSON.parse(line.msg.slice('METRIC: '.length)) as { type: string; metric: string; value: number; tags: Record<string, string> })
    .filter((metric) => metric.tags.tap_stream_id === tapStreamId);
  const counter = metrics.filter((metric) => metric.type === 'counter');
  assert.deepEqual(counter, [{ type: 'counter', metric: 'record_count', value: lines.length, tags: { endpoint: stream, tap_stream_id: tapStreamId } }]);
  const timer = metrics.filter((metric) => metric.type === 'timer');
  assert.equal(timer.length, 1);
  assert.equal(timer[0]!.metric, 'job_duration');
  assert.equal(timer[0]!.value, (entry.duration_ms as number) / 1000);
  assert.deepEqual(timer[0]!.tags, { endpoint: stream, tap_stream_id: tapStreamId, status: 'succeeded' });
  return entry;
}

function assertRunTotals(result: TapResult, report: Report): void {
  const all = result.stdout.split('\n').filter((line) => line.startsWith('{"type":"RECORD"')).length;
  assert.equal(report.records, all, 'report records = every RECORD line');
  assert.equal(report.records, report.streams.reduce((sum, stream) => sum + stream.records, 0));
  assert.ok(Date.parse(report.finished_at) >= Date.parse(report.started_at));
}

test('a multi-stream run: report, end lines and METRIC counters equal the RECORD lines on stdout per stream', async () => {
  const { result, report } = await syncWithReport(multiStream());
  assert.equal(result.code, 0, result.stderr);
  assertSingerStream(result.lines);
  assert.equal(report.status, 'success');
  assert.equal(report.exit_code, 0);
  assert.equal(report.error, null);
  assert.equal(report.streams.length, 3);
  assertRunTotals(result, report);
  const orders = assertStreamAccounted(result, report, ids.orders, 'orders', 'FULL_TABLE');
  const events = assertStreamAccounted(result, report, ids.events, 'events', 'INCREMENTAL');
  const accounts = assertStreamAccounted(result, report, ids.accounts, 'accounts', 'LOG_BASED');
  assert.equal(orders.records, ORDERS);
  assert.equal(events.records, EVENTS);
  assert.equal(accounts.records, 40, 'the first log-based run copies the table');
  for (const entry of [orders, events, accounts]) assert.equal(entry.bookmark_before, null, 'first run: no bookmark before');
  const summary = logLines(result).find((line) => line.msg.startsWith('run success'));
  assert.equal(summary?.msg, `run success: ${report.records} records`);
  assert.equal(summary?.records, report.records);

  // Second run from the last STATE: incremental resumes, log-based reads only the changes.
  await db.query(`
    INSERT INTO events SELECT g, timestamptz '2025-01-01' + g * interval '1 second' FROM generate_series(${EVENTS + 1}, ${EVENTS + 100}) g;
    INSERT INTO accounts SELECT g, 'account ' || g FROM generate_series(41, 45) g;
    UPDATE accounts SET name = name || '!' WHERE id IN (1, 2, 3);
    DELETE FROM accounts WHERE id IN (10, 11);
  `);
  const state = lastState(result);
  const second = await syncWithReport(multiStream(), state);
  assert.equal(second.result.code, 0, second.result.stderr);
  assertRunTotals(second.result, second.report);
  const events2 = assertStreamAccounted(second.result, second.report, ids.events, 'events', 'INCREMENTAL');
  assert.deepEqual(events2.bookmark_before, state.bookmarks[ids.events]);
  assert.equal(events2.records, 101, 'the bookmark row again, then the 100 new rows');
  assert.equal(assertStreamAccounted(second.result, second.report, ids.orders, 'orders', 'FULL_TABLE').records, ORDERS);
  const accounts2 = assertStreamAccounted(second.result, second.report, ids.accounts, 'accounts', 'LOG_BASED');
  assert.deepEqual(accounts2.bookmark_before, state.bookmarks[ids.accounts]);
  const changes = recordLines(second.result, 'accounts').map((line) => (JSON.parse(line) as Record_).record);
  const deletes = changes.filter((record) => record._sdc_deleted_at !== null && record._sdc_deleted_at !== undefined).length;
  assert.deepEqual({ inserts: accounts2.inserts, updates: accounts2.updates, deletes: accounts2.deletes }, { inserts: 5, updates: 3, deletes: 2 });
  assert.equal(deletes, accounts2.deletes, 'deletes = RECORDs with _sdc_deleted_at');
  assert.equal(accounts2.records, changes.length);
  assert.match(logLines(second.result).find((line) => line.tap_stream_id === ids.accounts && line.rows !== undefined)!.msg, /\(5 inserts, 3 updates, 2 deletes\)/);
});

test('a run that fails (a selected table dropped after discovery) still writes the report: failed, the error, the streams done before', async () => {
  const failing = selectInCatalog(catalog, { [ids.orders]: {}, [ids.vanished]: {} });
  await db.query('DROP TABLE vanished');
  const { result, report } = await syncWithReport(failing);
  assert.equal(result.code, 1, result.stderr);
  assert.equal(report.status, 'failed');
  assert.equal(report.exit_code, 1);
  assert.equal(report.error?.code, 'TABLE_NOT_FOUND');
  assert.match(report.error.message, /vanished/);
  assert.ok(report.error.hint.length > 10);
  assertRunTotals(result, report);
  assert.deepEqual(report.streams.map((stream) => stream.tap_stream_id), [ids.orders], 'the stream done before the failure');
  assert.equal(assertStreamAccounted(result, report, ids.orders, 'orders', 'FULL_TABLE').records, ORDERS);
  const error = logLines(result).find((line) => line.level >= 50);
  assert.equal(error?.code, 'TABLE_NOT_FOUND');
});

test('a run that fails before reading anything (missing catalog file) still writes a report', async () => {
  const reportPath = join(mkdtempSync(join(tmpdir(), 'tap-report-')), 'report.json');
  const result = await runTap(['--config', '@config', '--catalog', '/nonexistent/catalog.json', '--report', reportPath], { files: { config: db.tapConfig() } });
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stdout, '');
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
  assert.equal(report.status, 'failed');
  assert.equal(report.exit_code, 1);
  assert.equal(report.error?.code, 'CATALOG_NOT_FOUND');
  assert.equal(report.records, 0);
  assert.deepEqual(report.streams, []);
});
