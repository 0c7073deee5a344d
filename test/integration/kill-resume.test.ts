import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { collectText, lineReader } from '../harness/line-reader.js';
import { spawnTap } from '../harness/run-cli.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import { seededRandom, testSeed } from '../harness/seeded-random.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

/**
 * SIGKILL the real CLI at seeded points of a multi-stream sync (two full-table copies, one with a
 * composite key, one incremental; 200k+ rows each), restarting each time from the last STATE it
 * printed. Every source row must reach stdout at least once, and the final STATE must equal an
 * uninterrupted run's. KILL_POINTS sets how many kills (the suite runs 20; `npm run test:kill`
 * runs more with TEST_SEED varied).
 */
const ROWS = 200_000;
const KILL_POINTS = Number(process.env.KILL_POINTS ?? 20);
let db: TestDatabase;
let catalog: CatalogJson;

interface Message { type: string; stream?: string; record?: Record<string, unknown>; value?: { bookmarks: Record<string, Record<string, unknown>>; currently_syncing: string | null } }

before(async () => {
  db = await createTestDatabase('kill_resume');
  await db.query(`
    CREATE TABLE orders AS SELECT g AS id, md5(g::text) AS body FROM generate_series(1, ${ROWS}) g;
    ALTER TABLE orders ADD PRIMARY KEY (id);
    CREATE TABLE lines AS SELECT 'k' || (g % 97) AS part, g AS n, g * 2 AS qty FROM generate_series(1, ${ROWS}) g;
    ALTER TABLE lines ADD PRIMARY KEY (part, n);
    CREATE TABLE events AS SELECT g AS id, timestamptz '2024-01-01' + (g / 3) * interval '1 microsecond' AS updated_at FROM generate_series(1, ${ROWS}) g;
    ALTER TABLE events ADD PRIMARY KEY (id);
    GRANT SELECT ON orders, lines, events TO tapuser;
  `);
  const n = db.name;
  catalog = selectInCatalog(await discoverCatalog(db.tapConfig()), {
    [`${n}-public-orders`]: {},
    [`${n}-public-lines`]: {},
    [`${n}-public-events`]: { method: 'INCREMENTAL', replicationKey: 'updated_at' },
  });
});

after(async () => {
  await db?.close();
});

const config = (): Record<string, unknown> => db.tapConfig({ state_interval_rows: 5000 });

function keyOf(message: Message): string {
  const r = message.record!;
  return message.stream === 'lines' ? `lines:${String(r.part)}:${String(r.n)}` : `${message.stream}:${String(r.id)}`;
}

/** Runs the tap until it has printed `killAfter` lines (then SIGKILL) or to the end. */
async function runUntil(state: unknown, killAfter: number | null, seen: Set<string>): Promise<{ lastState: unknown; finished: boolean; lines: number }> {
  const files: Record<string, unknown> = { config: config(), catalog };
  const args = ['--config', '@config', '--catalog', '@catalog'];
  if (state !== null) {
    files.state = state;
    args.push('--state', '@state');
  }
  const child = spawnTap(args, { files });
  let lastState: unknown = state;
  let lines = 0;
  const stderr = collectText(child.stderr);
  lineReader(child.stdout, (line) => {
    if (killAfter !== null && lines >= killAfter) return;
    lines++;
    const message = JSON.parse(line) as Message;
    if (message.type === 'RECORD') seen.add(keyOf(message));
    if (message.type === 'STATE') lastState = message.value;
    if (killAfter !== null && lines >= killAfter) child.kill('SIGKILL');
  });
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  if (signal === 'SIGKILL') return { lastState, finished: false, lines };
  assert.equal(code, 0, stderr.text);
  return { lastState, finished: true, lines };
}

function withoutVersions(state: unknown): unknown {
  return JSON.parse(JSON.stringify(state), (key, value: unknown) => (key === 'version' ? undefined : value));
}

test(`a sync killed at ${KILL_POINTS} seeded points resumes from its last STATE without losing a row`, { timeout: 900_000 }, async () => {
  const seed = testSeed();
  const uninterrupted = await runUntil(null, null, new Set());
  const random = seededRandom(seed);
  const seen = new Set<string>();
  let state: unknown = null;
  let kills = 0;
  while (kills < KILL_POINTS) {
    const killAfter = 1 + Math.floor(random() * uninterrupted.lines * 0.9);
    const run = await runUntil(state, killAfter, seen);
    state = run.lastState;
    if (run.finished) state = null; // finished before the kill point: start a fresh sync cycle
    else kills++;
  }
  const final = await runUntil(state, null, seen);
  const expected = 3 * ROWS;
  assert.equal(seen.size, expected, `seed ${seed}: every source row reached stdout at least once (${seen.size} of ${expected})`);
  assert.deepEqual(withoutVersions(final.lastState), withoutVersions(uninterrupted.lastState), `seed ${seed}: final STATE equals an uninterrupted run's`);
});
