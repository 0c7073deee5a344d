import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { lineReader } from '../harness/line-reader.js';
import { spawnTap } from '../harness/run-cli.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

/**
 * 300 MB of RECORD lines read by a consumer that stalls: if the tap buffered instead of waiting
 * for the pipe, its memory would grow by the size of what the consumer has not read yet.
 */
const ROWS = 300_000;
let db: TestDatabase;
let catalog: CatalogJson;

before(async () => {
  db = await createTestDatabase('backpressure');
  await db.query(`CREATE TABLE wide AS SELECT g AS id, repeat(md5(g::text), 32) AS payload FROM generate_series(1, ${ROWS}) g`);
  await db.query('ALTER TABLE wide ADD PRIMARY KEY (id); GRANT SELECT ON wide TO tapuser');
  catalog = selectInCatalog(await discoverCatalog(db.tapConfig()), { [`${db.name}-public-wide`]: {} });
});

after(async () => {
  await db?.close();
});

function rssMegabytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) / 1024;
  } catch {
    return 0;
  }
}

test('a stalled consumer pauses the tap instead of growing its memory', { skip: process.platform !== 'linux' ? 'reads /proc' : false }, async () => {
  const child = spawnTap(['--config', '@config', '--catalog', '@catalog'], { files: { config: db.tapConfig(), catalog } });
  let peak = 0;
  const sampler = setInterval(() => { peak = Math.max(peak, rssMegabytes(child.pid!)); }, 50);
  child.stdout.pause();
  // Back-pressure end to end: the tap stops reading its COPY, so the server waits to write to it.
  for (;;) {
    const rows = await db.query<{ waiting: boolean }>("SELECT bool_or(wait_event = 'ClientWrite') AS waiting FROM pg_stat_activity WHERE usename = 'tapuser' AND query LIKE 'COPY%'");
    if (rows[0]?.waiting === true) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let records = 0;
  lineReader(child.stdout, (line) => { if (line.startsWith('{"type":"RECORD"')) records++; });
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(sampler);
  assert.equal(code, 0);
  assert.equal(records, ROWS);
  assert.ok(peak > 0, 'sampled the child');
  assert.ok(peak < 200, `peak RSS ${peak.toFixed(0)} MB stays far below the ~300 MB of output`);
});
