import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { messagesOfType, records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { collectText, lineReader } from '../harness/line-reader.js';
import { runTap, spawnTap } from '../harness/run-cli.js';
import { assertSingerStream, tapError } from '../harness/singer-assert.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

/**
 * FULL_TABLE copies runs of small tables with one batch of COPY statements (one round trip for up
 * to 100 tables). Each table must still arrive whole and exact, in catalog order, with its own
 * SCHEMA, ACTIVATE_VERSIONs, STATE and log lines; a table that fails inside a batch fails the run
 * with the streams before it complete; a stop inside a batch ends the run at once with a STATE a
 * restart goes on from.
 */
const TABLES = 120;
/** Table i holds i % 80 rows (some none), so the run's output is a few MB. */
const rowsOf = (i: number): number => i % 80;
const BIG = 'b_060_big';
const HOSTILE = 'b_😀 "q" x';

let db: TestDatabase;
let catalog: CatalogJson;
const name = (i: number): string => `b_${String(i).padStart(3, '0')}`;
const id = (table: string): string => `${db.name}-public-${table}`;
/** The stream name discovery gave a table. */
const streamOf = (table: string): string => catalog.streams.find((entry) => entry.table_name === table)?.stream as string;

/** The text column's value for row g: escapes, quotes, non-ASCII and a line break now and then. */
const NOTE_SQL = `CASE WHEN g % 5 = 0 THEN E'tab\\there "q" \\\\ back\\nline é ✓ 😀' ELSE 'row ' || g END`;
const noteOf = (g: number): string => (g % 5 === 0 ? 'tab\there "q" \\ back\nline é ✓ 😀' : `row ${g}`);

before(async () => {
  db = await createTestDatabase('copy_batch');
  const statements: string[] = [];
  for (let i = 1; i <= TABLES; i++) {
    statements.push(`CREATE TABLE ${name(i)} (id int PRIMARY KEY, note text, amount numeric(12,2), doc jsonb, at timestamptz);
      INSERT INTO ${name(i)} SELECT g, ${NOTE_SQL}, g * 1.25, jsonb_build_object('g', g, 's', 'x"y'), timestamptz '2020-01-01 00:00:00+00' + g * interval '1.5 second'
      FROM generate_series(1, ${rowsOf(i)}) g;`);
  }
  statements.push(`CREATE TABLE ${BIG} (id int PRIMARY KEY, note text); INSERT INTO ${BIG} SELECT g, 'big ' || g FROM generate_series(1, 20000) g;`);
  const hostile = `"${HOSTILE.replace(/"/g, '""')}"`;
  statements.push(`CREATE TABLE ${hostile} (id int PRIMARY KEY, note text); INSERT INTO ${hostile} SELECT g, ${NOTE_SQL} FROM generate_series(1, 7) g;`);
  statements.push('GRANT SELECT ON ALL TABLES IN SCHEMA public TO tapuser;');
  await db.query(statements.join('\n'));
  // Estimates make them small tables (a never-analyzed table is copied on its own).
  await db.query('VACUUM ANALYZE');
  const discovered = await discoverCatalog(db.tapConfig());
  catalog = selectInCatalog(discovered, Object.fromEntries(discovered.streams.map((entry) => [entry.tap_stream_id, {}])));
});

after(async () => {
  await db?.close();
});

interface LogLine { msg: string; level: number; tap_stream_id?: string; tables?: number }

function logLines(stderr: string): LogLine[] {
  return stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine);
}

test('small tables copied in batches arrive whole and exact, each with its own messages and log lines, in catalog order', async () => {
  const result = await runTap(['--config', '@config', '--catalog', '@catalog', '--log-level', 'debug'], { files: { config: db.tapConfig(), catalog } });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
  assertSingerStream(lines);
  for (let i = 1; i <= TABLES; i++) {
    const got = records(lines, name(i));
    assert.equal(got.length, rowsOf(i), name(i));
    got.forEach((record, k) => {
      const g = k + 1;
      assert.deepEqual(record, { id: g, note: noteOf(g), amount: Number((g * 1.25).toFixed(2)), doc: `{"g": ${g}, "s": "x\\"y"}`, at: new Date(Date.UTC(2020, 0, 1) + g * 1500).toISOString().replace('Z', '000+00:00') }, `${name(i)} row ${g}`);
    });
  }
  assert.equal(records(lines, BIG).length, 20000);
  assert.deepEqual(records(lines, streamOf(HOSTILE)).map((record) => record.note), [1, 2, 3, 4, 5, 6, 7].map(noteOf));

  // Stream by stream: SCHEMA, records, the closing ACTIVATE_VERSION, then the next stream's SCHEMA.
  const order = lines.filter((line) => line.type !== 'STATE' && line.type !== 'RECORD').map((line) => `${String(line.type)} ${String(line.stream)}`);
  const streams = [...new Set(lines.filter((line) => line.type === 'SCHEMA').map((line) => line.stream as string))];
  assert.equal(streams.length, TABLES + 2);
  assert.deepEqual(order, streams.flatMap((stream) => [`SCHEMA ${stream}`, `ACTIVATE_VERSION ${stream}`, `ACTIVATE_VERSION ${stream}`]));
  const last = messagesOfType<{ value: { currently_syncing: string | null; bookmarks: Record<string, unknown> } }>(lines, 'STATE').at(-1)!;
  assert.equal(last.value.currently_syncing, null);
  assert.equal(Object.keys(last.value.bookmarks).length, TABLES + 2);

  // One start and one end line per stream, the next stream starting after the previous ended.
  const log = logLines(result.stderr);
  const events = log.filter((line) => / (started|finished)[ (:]/.test(line.msg)).map((line) => `${/ started/.test(line.msg) ? 'start' : 'end'} ${line.tap_stream_id}`);
  const idOf = (stream: string): string => catalog.streams.find((entry) => entry.stream === stream)?.tap_stream_id ?? stream;
  assert.deepEqual(events, streams.flatMap((stream) => [`start ${idOf(stream)}`, `end ${idOf(stream)}`]));
  const batches = log.filter((line) => typeof line.tables === 'number').map((line) => line.tables as number);
  assert.ok(batches.length >= 2 && batches.every((n) => n >= 2 && n <= 100), `batches of ${batches.join(', ')} tables`);
  assert.ok(batches.reduce((sum, n) => sum + n, 0) >= TABLES - 2, 'the small tables go in batches, the big one alone');
});

test('a table the tap may not read inside a batch: the run fails naming it, the streams before it are complete', async () => {
  await db.query(`REVOKE SELECT ON ${name(30)} FROM tapuser`);
  try {
    const result = await runTap(['--config', '@config', '--catalog', '@catalog'], { files: { config: db.tapConfig(), catalog } });
    assert.equal(result.code, 1, result.stderr);
    const error = tapError(result);
    assert.equal(error.code, 'PG_PERMISSION_DENIED');
    assert.match(error.msg, new RegExp(name(30)));
    const lines = result.stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
    for (let i = 1; i < 30; i++) {
      assert.equal(records(lines, name(i)).length, rowsOf(i), name(i));
      assert.equal(lines.filter((line) => line.type === 'ACTIVATE_VERSION' && line.stream === name(i)).length, 2, `${name(i)} closed`);
    }
    assert.equal(records(lines, name(31)).length, 0, 'nothing after the failing table');
    const last = messagesOfType<{ value: { currently_syncing: string | null; bookmarks: Record<string, unknown> } }>(lines, 'STATE').at(-1)!;
    assert.equal(last.value.currently_syncing, id(name(30)));
    for (let i = 1; i < 30; i++) assert.ok(id(name(i)) in last.value.bookmarks, `${name(i)} has its bookmark`);
  } finally {
    await db.query(`GRANT SELECT ON ${name(30)} TO tapuser`);
  }
});

test('SIGTERM inside a batch: the run ends at once (exit 143), and a run from its STATE finishes the interrupted table and the rest', async (t) => {
  const child = spawnTap(['--config', '@config', '--catalog', '@catalog'], { files: { config: db.tapConfig({ state_interval_rows: 25 }), catalog } });
  const first: Record<string, unknown>[] = [];
  let stopped = false;
  lineReader(child.stdout, (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    first.push(message);
    // Stop while the batch of the first small tables is being read, holding the output back so
    // the tap cannot race to the end first.
    if (!stopped && message.type === 'RECORD' && message.stream === name(12)) {
      stopped = true;
      child.stdout.pause();
      child.kill('SIGTERM');
      setTimeout(() => child.stdout.resume(), 300);
    }
  });
  const stderr = collectText(child.stderr);
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => child.on('close', (exit) => resolve(exit)));
  assert.equal(code, 143, stderr.text);
  assert.ok(Date.now() - started < 30_000, 'the stop did not wait for the batch');
  assert.ok(stopped, 'the stop came inside the run');
  const state = messagesOfType<{ value: { currently_syncing: string | null; bookmarks: Record<string, Record<string, unknown>> } }>(first, 'STATE').at(-1)!.value;
  const interrupted = state.currently_syncing;
  assert.ok(interrupted !== null, 'the STATE names the interrupted stream');
  const table = interrupted.slice(`${db.name}-public-`.length);
  const before = records(first, table).map((record) => record.id as number);
  t.diagnostic(`stopped in ${table} after ${before.length} of its rows (${first.filter((m) => m.type === 'RECORD').length} records in all), ${Date.now() - started} ms`);

  const second = await runTap(['--config', '@config', '--catalog', '@catalog', '--state', '@state'], { files: { config: db.tapConfig(), catalog, state } });
  assert.equal(second.code, 0, second.stderr);
  const lines = second.stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
  assertSingerStream(lines);
  const after = records(lines, table).map((record) => record.id as number);
  const total = rowsOf(Number(table.slice(2, 5)));
  assert.deepEqual([...new Set([...before, ...after])].sort((a, b) => a - b), Array.from({ length: total }, (_, k) => k + 1), `${table}: both runs together deliver every row`);
  const lastPk = (state.bookmarks[interrupted]?.last_pk_fetched as { id?: number } | undefined)?.id;
  if (lastPk !== undefined) assert.ok(after.every((g) => g > lastPk), `${table}: the second run goes on after key ${lastPk}`);
  for (let i = 1; i <= TABLES; i++) if (name(i) !== table) assert.equal(records(lines, name(i)).length, rowsOf(i), name(i));
});
