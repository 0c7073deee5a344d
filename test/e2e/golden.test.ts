import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, runTap } from '../harness/run-cli.js';
import { assertSingerStream } from '../harness/singer-assert.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

/**
 * Golden JSONL: the built CLI, run as a user runs it, on the singer-io compatibility fixture
 * (same database name, same catalog file). UPDATE_GOLDEN=1 rewrites the golden files.
 */
const FIXTURES = join(repoRoot, 'test', 'fixtures', 'singer-io');
const GOLDEN = join(repoRoot, 'test', 'golden');
let db: TestDatabase;

before(async () => {
  db = await createTestDatabase('peer_small');
  await db.query(readFileSync(join(FIXTURES, 'setup.sql'), 'utf8'));
});

after(async () => {
  await db?.close();
});

/** The singer-io files name the database peer_small; ours is the per-file test database. */
function properties(): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, 'properties.full_table.json'), 'utf8').replaceAll('peer_small', db.name));
}

function normalise(stdout: string): string {
  return stdout
    .replaceAll(db.name, 'peer_small')
    .replace(/"version":\d+/g, '"version":1')
    .replace(/"time_extracted":"[^"]+"/g, '"time_extracted":"<time>"');
}

function compareWithGolden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  // Written only when asked: a missing golden file fails, in CI and everywhere else.
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `golden file test/golden/${name} is missing: run UPDATE_GOLDEN=1 npm test -- golden, review it, and commit it`);
  assert.equal(actual, readFileSync(path, 'utf8'), `stdout differs from test/golden/${name} (rerun with UPDATE_GOLDEN=1 if the change is intended)`);
}

test('a singer-io properties file passed with --properties syncs to the golden JSONL', async () => {
  const result = await runTap(['--config', '@config', '--properties', '@properties'], { files: { config: db.tapConfig(), properties: properties() } });
  assert.equal(result.code, 0, result.stderr);
  assertSingerStream(result.lines);
  compareWithGolden('singer-io-types-small.full-table.jsonl', normalise(result.stdout));
});

test('the same file passed with --catalog gives the same output', async () => {
  const viaCatalog = await runTap(['--config', '@config', '--catalog', '@catalog'], { files: { config: db.tapConfig(), catalog: properties() } });
  const viaProperties = await runTap(['--config', '@config', '--properties', '@properties'], { files: { config: db.tapConfig(), properties: properties() } });
  assert.equal(viaCatalog.code, 0, viaCatalog.stderr);
  assert.equal(normalise(viaCatalog.stdout), normalise(viaProperties.stdout));
});

test('a singer-io state file is accepted and its bookmarks kept', async () => {
  const state = { bookmarks: { [`${db.name}-public-types_small`]: { last_replication_method: 'FULL_TABLE', version: 1795588558571, xmin: null } }, currently_syncing: null };
  const result = await runTap(['--config', '@config', '--properties', '@properties', '--state', '@state'], {
    files: { config: db.tapConfig(), properties: properties(), state },
  });
  assert.equal(result.code, 0, result.stderr);
  const types = result.lines.map((line) => (line as { type: string }).type);
  assert.equal(types.filter((type) => type === 'ACTIVATE_VERSION').length, 1, 'not a first run: one ACTIVATE_VERSION, after the copy');
});

test('discovery output matches the golden catalog', async () => {
  const result = await runTap(['--config', '@config', '--discover'], { files: { config: db.tapConfig() } });
  assert.equal(result.code, 0, result.stderr);
  const catalog = normalise(result.stdout).replace(/"row-count":-?\d+/g, '"row-count":0');
  compareWithGolden('singer-io-types-small.discover.json', catalog);
});
