import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { collectText, lineReader } from '../harness/line-reader.js';
import { spawnTap } from '../harness/run-cli.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import { seededRandom, testSeed } from '../harness/seeded-random.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';
import { createSlot } from '../harness/test-plugin.js';

/**
 * SIGKILL the real CLI at seeded points while a LOG_BASED stream reads 200k+ changes (inserts,
 * updates, deletes; transactions of 1 to 9000 rows and one of 50k), restarting each time from the
 * last STATE it printed. The kill points are positions in the change stream: the slot is peeked
 * once in SQL to learn how many records each commit carries, so a restart from a STATE whose lsn
 * is X resumes exactly after the records of the commits before X. Every change must reach
 * stdout at least once, and the table rebuilt from all records (last one per key wins,
 * `_sdc_deleted_at` removes the key) must equal a FULL_TABLE sync of the source, byte for byte.
 * KILL_POINTS sets how many kills (default 20), TEST_SEED the workload and the kill points.
 */
const KILL_POINTS = Number(process.env.KILL_POINTS ?? 20);
const INITIAL_ROWS = 20_000;
const MIN_CHANGES = 205_000;
const BIG_TRANSACTION = 50_000;
let db: TestDatabase;
let logCatalog: CatalogJson;
let fullCatalog: CatalogJson;
let streamId: string;

interface Message { type: string; stream?: string; record?: Record<string, unknown>; value?: State }
interface State { bookmarks: Record<string, { lsn?: number | string }>; currently_syncing: string | null }

/** Every value derives from the change's unique `rev`; types chosen to catch lossy conversions. */
function valuesOf(rev: string): string {
  return `${rev},
    9007199254740993 + ${rev} * 1000003,
    (${rev}::numeric * 1000000007.123457)::numeric(30,6),
    ${rev}::float8 / 7,
    CASE ${rev} % 5 WHEN 0 THEN NULL WHEN 1 THEN 'quote " back \\ ' || ${rev} WHEN 2 THEN E'line\\nbreak \\u2603 ' || ${rev} ELSE 'r' || ${rev} END,
    timestamptz '2024-01-01 00:00:00+00' + ${rev} * interval '1.000001 second',
    CASE ${rev} % 3 WHEN 0 THEN NULL ELSE ${rev} % 3 = 1 END,
    jsonb_build_object('rev', ${rev}, 's', 'x"y', 'n', ${rev} % 10 = 0),
    ARRAY['a' || ${rev}, 'b c', NULL]`;
}
const COLUMNS = 'rev, big, amount, ratio, label, ts, flag, doc, tags';

before(async () => {
  db = await createTestDatabase('log_based_kill');
  await db.query(`
    CREATE SEQUENCE ids; CREATE SEQUENCE revs;
    CREATE TABLE t (id bigint PRIMARY KEY DEFAULT nextval('ids'), rev bigint NOT NULL, big bigint, amount numeric(30,6),
      ratio double precision, label text, ts timestamptz, flag boolean, doc jsonb, tags text[]);
    INSERT INTO t (${COLUMNS}) SELECT ${valuesOf('r')} FROM (SELECT nextval('revs') AS r FROM generate_series(1, ${INITIAL_ROWS})) s;
    CREATE TABLE noise (id serial PRIMARY KEY, note text);
    GRANT SELECT ON t, noise TO tapuser;
  `);
  await createSlot((sql, params) => db.query(sql, params), `stitch_${db.name}`);
  // The expected changes are peeked as wal2json documents from a second slot made at the same
  // point, whatever plugin the tap reads through.
  await createSlot((sql, params) => db.query(sql, params), `oracle_${db.name}`, 'wal2json');
  streamId = `${db.name}-public-t`;
  const discovered = await discoverCatalog(db.tapConfig());
  logCatalog = selectInCatalog(discovered, { [streamId]: { method: 'LOG_BASED' } });
  fullCatalog = selectInCatalog(discovered, { [streamId]: { method: 'FULL_TABLE' } });
});

after(async () => {
  await db?.close();
});

/** Seeded transactions of mixed inserts, updates and deletes; one of exactly 50k rows. Returns how many row changes. */
async function generateChanges(random: () => number): Promise<number> {
  const client = new pg.Client({ connectionString: db.superUrl });
  await client.connect();
  let changes = 0;
  let maxId = INITIAL_ROWS;
  const insert = (size: number): string => {
    maxId += size;
    return `INSERT INTO t (${COLUMNS}) SELECT ${valuesOf('r')} FROM (SELECT nextval('revs') AS r FROM generate_series(1, ${size})) s`;
  };
  // Each updated row gets its own new rev (the subquery runs nextval per row).
  const update = (rows: string): string => `UPDATE t SET (${COLUMNS}) = (SELECT ${valuesOf('v.r')}) FROM (SELECT id, nextval('revs') AS r FROM (${rows}) k) v WHERE t.id = v.id`;
  const remove = (rows: string): string => `DELETE FROM t WHERE id IN (${rows})`;
  const statement = (size: number): string => {
    const kind = random();
    const rows = `SELECT id FROM t WHERE id >= ${1 + Math.floor(random() * maxId)} ORDER BY id LIMIT ${size}`;
    return kind < 0.4 ? insert(size) : kind < 0.85 ? update(rows) : remove(rows);
  };
  const transaction = async (statements: string[]): Promise<void> => {
    await client.query('BEGIN');
    // Decoding reads only flushed WAL: the harness's synchronous_commit=off could hide the last commit.
    await client.query('SET LOCAL synchronous_commit = on');
    for (const sql of statements) changes += (await client.query(sql)).rowCount ?? 0;
    if (random() < 0.2) await client.query("INSERT INTO noise (note) SELECT 'not selected' FROM generate_series(1, 20)");
    await client.query('COMMIT');
  };
  try {
    let bigDone = false;
    while (changes < MIN_CHANGES) {
      if (!bigDone && changes >= MIN_CHANGES / 3) {
        bigDone = true;
        const before = changes;
        // 20k inserts, 25k updates of the newest rows (all 20k new ones among them), and deletes
        // of every fourth new row: rows inserted, updated and deleted in the same transaction.
        await transaction([
          insert(20_000),
          update('SELECT id FROM t ORDER BY id DESC LIMIT 25000'),
          remove('SELECT id FROM (SELECT id FROM t ORDER BY id DESC LIMIT 20000) n WHERE id % 4 = 0'),
        ]);
        assert.equal(changes - before, BIG_TRANSACTION, 'the big transaction changes 50k rows');
        continue;
      }
      // 1 to 3 statements of 1 to 3000 rows each, log-uniform: many small transactions, a few large.
      const count = 1 + Math.floor(random() * 3);
      await transaction(Array.from({ length: count }, () => statement(Math.floor(Math.exp(random() * Math.log(3001))))));
    }
  } finally {
    await client.end();
  }
  return changes;
}

interface Commit { lsn: bigint; records: number }
interface Expected { commits: Commit[]; changes: Set<string>; total: number }

/**
 * What the slot holds for table t, read in SQL: commit LSNs with their record counts, and each
 * change's signature. Only each document's head crosses the wire (id and rev come first).
 */
async function peekSlot(): Promise<Expected> {
  const rows = await db.query<{ head: string }>(`SELECT left(data, 200) AS head FROM pg_logical_slot_peek_changes('oracle_' || current_database(),
    NULL, NULL, 'format-version', '2', 'include-transaction', 'true', 'include-lsn', 'true', 'add-tables', 'public.t')`);
  const commits: Commit[] = [];
  const changes = new Set<string>();
  let records = 0;
  let total = 0;
  const match = (head: string, pattern: RegExp): RegExpExecArray => {
    const found = pattern.exec(head);
    assert.ok(found !== null, `wal2json document ${head} matches ${pattern}`);
    return found;
  };
  for (const { head } of rows) {
    const action = head.slice(0, 14);
    if (action === '{"action":"C",') {
      commits.push({ lsn: lsnOf(match(head, /"lsn":"([0-9A-F]+\/[0-9A-F]+)"/)[1]!), records });
      records = 0;
    } else if (action === '{"action":"I",' || action === '{"action":"U",') {
      const [, id, rev] = match(head, /"columns":\[\{"name":"id","type":"bigint","value":(\d+)\},\{"name":"rev","type":"bigint","value":(\d+)/);
      changes.add(`${id}:${rev}`);
      records++;
      total++;
    } else if (action === '{"action":"D",') {
      changes.add(`D:${match(head, /"identity":\[\{"name":"id","type":"bigint","value":(\d+)/)[1]}`);
      records++;
      total++;
    }
  }
  return { commits, changes, total };
}

const sec = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function lsnOf(text: string): bigint {
  const [hi, lo] = text.split('/') as [string, string];
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

/**
 * Records of the commits a bookmark covers (an `lsn` bookmark B means every transaction committed
 * before B is downstream): where a run resuming from that bookmark starts.
 */
function recordsBefore(expected: Expected, lsn: bigint): number {
  let sum = 0;
  for (const commit of expected.commits) if (commit.lsn < lsn) sum += commit.records;
  return sum;
}

function bookmarkLsn(state: State): bigint {
  const lsn = state.bookmarks[streamId]?.lsn;
  assert.ok(lsn !== undefined, `state has an lsn bookmark: ${JSON.stringify(state)}`);
  return BigInt(lsn);
}

/** The `{...}` of a RECORD line exactly as the tap printed it. */
function recordText(line: string): string {
  const start = line.indexOf('"record":') + '"record":'.length;
  const end = line.lastIndexOf(',"version":');
  assert.ok(start > 9 && end > start, `RECORD line has record and version: ${line.slice(0, 200)}`);
  return line.slice(start, end);
}

interface Downstream {
  /** id → record text (without `_sdc_deleted_at`), in stdout order: the target's table. */
  table: Map<string, string>;
  /** Signatures of the changes seen (`id:rev`, `D:id`). */
  seen: Set<string>;
}

function apply(downstream: Downstream, line: string): void {
  const message = JSON.parse(line) as Message;
  const record = message.record!;
  const id = String(record.id);
  if (record._sdc_deleted_at !== null && record._sdc_deleted_at !== undefined) {
    downstream.table.delete(id);
    downstream.seen.add(`D:${id}`);
    return;
  }
  downstream.table.set(id, recordText(line).replace(/,"_sdc_deleted_at":null\}$/, '}'));
  downstream.seen.add(`${id}:${String(record.rev)}`);
}

const config = (): Record<string, unknown> => db.tapConfig({ state_interval_rows: 1000, logical_poll_total_seconds: 5, break_at_end_lsn: true });

/**
 * Runs the tap from `state`; with `killAfter`, SIGKILLs it once it has printed that many RECORD
 * lines, and nothing printed after that line counts (the target never got it).
 */
async function runUntil(state: State | null, killAfter: number | null, downstream: Downstream): Promise<{ lastState: State | null; killed: boolean; records: number; stderr: string }> {
  const files: Record<string, unknown> = { config: config(), catalog: logCatalog };
  const args = ['--config', '@config', '--catalog', '@catalog'];
  if (state !== null) {
    files.state = state;
    args.push('--state', '@state');
  }
  const child = spawnTap(args, { files });
  let lastState = state;
  let records = 0;
  let done = false;
  const stderr = collectText(child.stderr);
  lineReader(child.stdout, (line) => {
    if (done) return;
    if (line.startsWith('{"type":"RECORD"')) {
      apply(downstream, line);
      records++;
      if (killAfter !== null && records >= killAfter) {
        done = true;
        child.kill('SIGKILL');
      }
    } else if (line.startsWith('{"type":"STATE"')) {
      lastState = (JSON.parse(line) as Message).value!;
    }
  });
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  if (signal === 'SIGKILL' && done) return { lastState, killed: true, records, stderr: stderr.text };
  assert.equal(code, 0, `tap failed (signal ${signal}):\n${stderr.text.slice(-3000)}`);
  return { lastState, killed: false, records, stderr: stderr.text };
}

test(`a LOG_BASED stream killed at ${KILL_POINTS} seeded points while streaming 200k+ changes loses none`, { timeout: 600_000 }, async (t) => {
  const seed = testSeed();
  const random = seededRandom(seed);
  const started = Date.now();
  const downstream: Downstream = { table: new Map(), seen: new Set() };

  // First run: the initial copy, whose final STATE carries the lsn the change stream starts after.
  const copy = await runUntil(null, null, downstream);
  assert.equal(copy.records, INITIAL_ROWS, 'the initial copy delivers every row');
  const copied = new Set(downstream.seen);
  assert.ok(copy.lastState !== null);
  let state: State = copy.lastState;

  const phases: string[] = [`copy ${sec(started)}`];
  let mark = Date.now();
  const generated = await generateChanges(random);
  phases.push(`workload ${sec(mark)}`);
  mark = Date.now();
  const expected = await peekSlot();
  phases.push(`peek ${sec(mark)}`);
  mark = Date.now();
  assert.equal(expected.total, generated, 'the slot holds every change the workload made');
  assert.ok(expected.total >= 200_000, `${expected.total} changes`);
  assert.ok(expected.commits.some((commit) => commit.records === BIG_TRANSACTION), 'one transaction of 50k row changes');
  assert.equal(recordsBefore(expected, bookmarkLsn(state)), 0, 'the copy bookmark precedes every change');

  // Kill points: distinct positions in the change stream, in order.
  const points = new Set<number>();
  while (points.size < KILL_POINTS) points.add(1 + Math.floor(random() * (expected.total - 1)));
  const killAt = [...points].sort((a, b) => a - b);
  let delivered = 0;
  let earlyStops = 0;
  /**
   * A run may also end on its own before the end of the changes: logical_poll_total_seconds counts
   * from the last message, and while the server reads a large transaction (or other databases'
   * WAL, when tests share the server) nothing arrives. Such a run is a clean stop from its STATE,
   * so the sequence just goes on; only runs that keep stopping fail the test.
   */
  const earlyStop = (run: { records: number; stderr: string }, before: string): void => {
    earlyStops++;
    t.diagnostic(`seed ${seed}: run stopped on its own after ${run.records} records ${before}: ${/"msg":"(log-based read[^"]*)"/.exec(run.stderr)?.[1] ?? ''}`);
    assert.ok(earlyStops <= 5, `seed ${seed}: runs keep stopping before the end of the changes`);
  };
  for (const point of killAt) {
    for (;;) {
      const resumeAt = recordsBefore(expected, bookmarkLsn(state));
      assert.ok(point > resumeAt, `seed ${seed}: a STATE never covers records not yet printed (resume at ${resumeAt}, next kill at ${point})`);
      const run = await runUntil(state, point - resumeAt, downstream);
      delivered += run.records;
      state = run.lastState!;
      if (run.killed) break;
      earlyStop(run, `before kill point ${point}`);
    }
  }

  phases.push(`killed runs ${sec(mark)}`);
  mark = Date.now();
  // The final run: to the end of the changes (break_at_end_lsn).
  for (;;) {
    const final = await runUntil(state, null, downstream);
    delivered += final.records;
    state = final.lastState!;
    if (recordsBefore(expected, bookmarkLsn(state)) === expected.total) break;
    earlyStop(final, 'in the final run');
  }
  phases.push(`final run ${sec(mark)}`);
  mark = Date.now();
  const missing = [...expected.changes].filter((change) => !downstream.seen.has(change));
  assert.equal(missing.length, 0, `seed ${seed}: every change reached stdout at least once; missing ${missing.length}, e.g. ${missing.slice(0, 5).join(', ')}`);
  const unexpected = [...downstream.seen].filter((change) => !expected.changes.has(change) && !copied.has(change));
  assert.deepEqual(unexpected.slice(0, 5), [], `seed ${seed}: no record without a source change`);

  // The source table as the tap prints it, through a FULL_TABLE sync of the same table.
  const full = await runSync(db.tapConfig(), fullCatalog);
  assert.equal(full.code, 0, full.stderr);
  phases.push(`full-table run ${sec(mark)}`);
  const source = new Map<string, string>();
  for (const line of full.stdout.split('\n')) {
    if (line.startsWith('{"type":"RECORD"')) source.set(String((JSON.parse(line) as Message).record!.id), recordText(line));
  }
  const [{ count }] = (await db.query<{ count: string }>('SELECT count(*)::text AS count FROM t')) as [{ count: string }];
  assert.equal(source.size, Number(count));
  const differing = [...new Set([...source.keys(), ...downstream.table.keys()])].filter((id) => source.get(id) !== downstream.table.get(id));
  assert.equal(differing.length, 0, `seed ${seed}: rebuilt table equals the source; ${differing.length} keys differ, e.g. ${differing.slice(0, 3).map((id) => `${id}: ${downstream.table.get(id) ?? '(absent)'} vs ${source.get(id) ?? '(absent)'}`).join('; ')}`);
  t.diagnostic(`seed ${seed}: ${expected.total} changes in ${expected.commits.length} transactions, ${KILL_POINTS} kills, ${delivered} records delivered (${(delivered / expected.total).toFixed(2)}x), ${earlyStops} early stops, ${sec(started)} (${phases.join(', ')})`);
});
