import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { collectText } from '../harness/line-reader.js';
import { repoRoot, runTap, type TapResult } from '../harness/run-cli.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

/**
 * `tap-postgres run` as cron would call it: the real CLI piping the tap into a real target
 * command (test/fixtures/jsonl-target.mjs), with a state file that moves only when tap and
 * target both succeed and a lock that keeps two runs on one state file apart.
 */
const TARGET = join(repoRoot, 'test', 'fixtures', 'jsonl-target.mjs');

let db: TestDatabase;
let catalog: CatalogJson;
let streamId: string;
let next = 1;

interface Job { dir: string; config: string; catalog: string; state: string; lock: string; out: string }
interface StateValue { currently_syncing: string | null; bookmarks: Record<string, { replication_key_value?: unknown; replication_key?: string }> }

before(async () => {
  db = await createTestDatabase('run_command');
  await db.query('CREATE TABLE events (id int PRIMARY KEY, name text NOT NULL); GRANT SELECT ON events TO tapuser');
  await insertEvents(1000);
  streamId = `${db.name}-public-events`;
  catalog = selectInCatalog(await discoverCatalog(db.tapConfig()), { [streamId]: { method: 'INCREMENTAL', replicationKey: 'id' } });
});

after(async () => {
  await db?.close();
});

/** Inserts the next `count` ids; returns them. */
async function insertEvents(count: number): Promise<number[]> {
  const first = next;
  next += count;
  await db.query("INSERT INTO events SELECT g, 'event ' || g FROM generate_series($1::int, $2::int) g", [first, next - 1]);
  return Array.from({ length: count }, (_, i) => first + i);
}

/** A job directory as a user would keep it: config, catalog, state file (absent at first), target output. */
function newJob(jobCatalog: CatalogJson = catalog): Job {
  const dir = mkdtempSync(join(tmpdir(), 'tap-run-'));
  const job = { dir, config: join(dir, 'config.json'), catalog: join(dir, 'catalog.json'), state: join(dir, 'state.json'), lock: join(dir, 'state.json.lock'), out: join(dir, 'out') };
  writeFileSync(job.config, JSON.stringify(db.tapConfig()));
  writeFileSync(job.catalog, JSON.stringify(jobCatalog));
  return job;
}

function runArgs(job: Job, target = `"${process.execPath}" "${TARGET}" "${job.out}"`): string[] {
  return ['run', '--config', job.config, '--catalog', job.catalog, '--state-file', job.state, '--target', target];
}

function runJob(job: Job, env: Record<string, string> = {}): Promise<TapResult> {
  return runTap(runArgs(job), { env });
}

/** Ids the target wrote so far, in order. */
function delivered(job: Job): number[] {
  const file = join(job.out, 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { id: number }).id);
}

function savedState(job: Job): StateValue {
  return JSON.parse(readFileSync(job.state, 'utf8')) as StateValue;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function errorLine(result: TapResult, code: string): Record<string, unknown> {
  const line = result.stderr.split('\n').filter((text) => text.startsWith('{')).map((text) => JSON.parse(text) as Record<string, unknown>)
    .find((entry) => entry.code === code && (entry.level as number) >= 50);
  assert.ok(line !== undefined, `an error line with code ${code}:\n${result.stderr}`);
  return line;
}

function assertNoLeftovers(job: Job): void {
  const files = readdirSync(job.dir).filter((name) => name !== 'out').sort();
  assert.deepEqual(files, ['catalog.json', 'config.json', 'state.json'], 'no lock or temporary state file left behind');
}

test('two scheduled runs: the second continues from the state the first saved and delivers only rows from its bookmark on', async () => {
  const job = newJob();
  const first = await runJob(job);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, '', 'run prints nothing on stdout (the target\'s stdout is read by run)');
  assert.deepEqual(delivered(job), range(1, next - 1));
  const state1 = savedState(job);
  assert.equal(state1.currently_syncing, null);
  assert.equal(state1.bookmarks[streamId]?.replication_key, 'id');
  assert.equal(state1.bookmarks[streamId]?.replication_key_value, next - 1);
  assert.match(first.stderr, /state saved to/);
  assertNoLeftovers(job);

  const lastOfFirst = next - 1;
  const added = await insertEvents(250);
  const second = await runJob(job);
  assert.equal(second.code, 0, second.stderr);
  // INCREMENTAL reads key >= bookmark, so the bookmark row itself comes again, then only new rows.
  assert.deepEqual(delivered(job).slice(lastOfFirst), [lastOfFirst, ...added]);
  assert.equal(savedState(job).bookmarks[streamId]?.replication_key_value, added.at(-1));
  assertNoLeftovers(job);
});

test('a target that fails mid-load leaves the state file byte-identical and exits non-zero; the next run loses nothing', async () => {
  const job = newJob();
  assert.equal((await runJob(job)).code, 0);
  const before = readFileSync(job.state);
  const bookmark = savedState(job).bookmarks[streamId]?.replication_key_value as number;
  // Far more output than the pipes hold: the target dies while the tap waits on a full pipe (a tap
  // that then waited forever for a reader was seen once, and reproduced this way every time).
  const added = await insertEvents(20_000);
  const failed = await runJob(job, { JSONL_TARGET_FAIL_AFTER: '100' });
  assert.notEqual(failed.code, 0, failed.stderr);
  assert.notEqual(failed.code, 75);
  assert.match(failed.stderr, /jsonl-target: failing on purpose after 100 records/);
  assert.match(errorLine(failed, 'RUN_FAILED').msg as string, /left unchanged/);
  assert.deepEqual(readFileSync(job.state), before, 'state file byte-identical');
  assertNoLeftovers(job);

  const seenBefore = delivered(job).length;
  const retry = await runJob(job);
  assert.equal(retry.code, 0, retry.stderr);
  assert.deepEqual(delivered(job).slice(seenBefore), [bookmark, ...range(bookmark + 1, added.at(-1)!)]);
  assert.equal(savedState(job).bookmarks[streamId]?.replication_key_value, added.at(-1));
});

test('a tap that fails after the target committed a STATE leaves the state file byte-identical', async () => {
  // zz_gone sorts after events, so events is loaded (and its STATE echoed) before the tap fails.
  await db.query('CREATE TABLE zz_gone (id int PRIMARY KEY); GRANT SELECT ON zz_gone TO tapuser');
  const withGone = selectInCatalog(await discoverCatalog(db.tapConfig()), {
    [streamId]: { method: 'INCREMENTAL', replicationKey: 'id' },
    [`${db.name}-public-zz_gone`]: {},
  });
  await db.query('DROP TABLE zz_gone');
  const job = newJob(withGone);
  writeFileSync(job.state, JSON.stringify({ currently_syncing: null, bookmarks: {} }));
  const before = readFileSync(job.state);
  const result = await runJob(job);
  assert.equal(result.code, 1, result.stderr);
  errorLine(result, 'TABLE_NOT_FOUND');
  assert.match(errorLine(result, 'RUN_FAILED').msg as string, /the tap exited with 1/);
  assert.ok(delivered(job).length > 0, 'the target did load events before the tap failed');
  assert.deepEqual(readFileSync(job.state), before, 'state file byte-identical');
  assertNoLeftovers(job);
});

test('a lock held by a live process: exit 75 with RUN_LOCKED, nothing started, state and lock untouched', async () => {
  const job = newJob();
  assert.equal((await runJob(job)).code, 0);
  const state = readFileSync(job.state);
  const lockText = JSON.stringify({ pid: process.pid, started_at: '2024-01-01T00:00:00.000Z' });
  writeFileSync(job.lock, lockText);
  const linesBefore = delivered(job).length;
  const locked = await runJob(job);
  assert.equal(locked.code, 75, locked.stderr);
  assert.equal(locked.stdout, '');
  const error = errorLine(locked, 'RUN_LOCKED');
  assert.match(error.msg as string, new RegExp(`another run \\(pid ${process.pid}, started 2024-01-01T00:00:00.000Z\\) holds ${job.lock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(error.hint as string, /delete the lock file/);
  assert.deepEqual(readFileSync(job.state), state, 'state file untouched');
  assert.equal(readFileSync(job.lock, 'utf8'), lockText, 'lock file untouched');
  assert.equal(delivered(job).length, linesBefore, 'neither tap nor target ran');
});

test('a stale lock (its process is gone) is taken over with a warning', async () => {
  const job = newJob();
  const dead = spawnSync(process.execPath, ['-e', '']).pid;
  assert.ok(typeof dead === 'number' && dead > 0);
  writeFileSync(job.lock, JSON.stringify({ pid: dead, started_at: '2024-01-01T00:00:00.000Z' }));
  const result = await runJob(job);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /removing stale lock/);
  assert.equal(savedState(job).bookmarks[streamId]?.replication_key_value, next - 1);
  assertNoLeftovers(job);
});

test('a second run started while the first is running exits 75 and leaves the first run and its files alone', async () => {
  const job = newJob();
  const release = join(job.dir, 'release');
  // A target that waits for the test before reading: the first run holds the lock meanwhile.
  const slowTarget = `while [ ! -f "${release}" ]; do sleep 0.05; done; exec "${process.execPath}" "${TARGET}" "${job.out}"`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PG')));
  const firstRun = spawn(process.execPath, [join(repoRoot, 'bin', 'tap-postgres.js'), ...runArgs(job, slowTarget)], { stdio: ['ignore', 'ignore', 'pipe'], env });
  const firstStderr = collectText(firstRun.stderr);
  const firstDone = new Promise<number | null>((resolve) => firstRun.on('close', (code) => resolve(code)));
  // A failed assertion must not leave the first run waiting for the release file forever.
  try {
    for (let i = 0; !existsSync(job.lock); i++) {
      assert.ok(i < 1200, `the first run takes the lock:\n${firstStderr.text}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const lockText = readFileSync(job.lock, 'utf8');
    assert.equal((JSON.parse(lockText) as { pid: number }).pid, firstRun.pid);

    const second = await runJob(job);
    assert.equal(second.code, 75, second.stderr);
    assert.match(errorLine(second, 'RUN_LOCKED').msg as string, new RegExp(`pid ${firstRun.pid}`));
    assert.equal(readFileSync(job.lock, 'utf8'), lockText, 'the first run\'s lock is untouched');
    assert.equal(existsSync(job.state), false, 'no state file written by the refused run');

    writeFileSync(release, '');
    assert.equal(await firstDone, 0, firstStderr.text);
    assert.deepEqual(delivered(job), range(1, next - 1), 'the first run delivered every row once');
    assert.equal(savedState(job).bookmarks[streamId]?.replication_key_value, next - 1);
  } finally {
    if (!existsSync(release)) writeFileSync(release, '');
    if (firstRun.exitCode === null) firstRun.kill('SIGKILL');
  }
  assert.deepEqual(readdirSync(job.dir).filter((name) => name !== 'out').sort(), ['catalog.json', 'config.json', 'release', 'state.json']);
});
