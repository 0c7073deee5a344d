// Regression (issue 15): with the DEFAULT settings and a writer committing small transactions the
// whole time, back-to-back LOG_BASED runs (each from the previous run's last STATE) once lost 22%
// of the rows, every run exiting 0: at the commit where the run decided to stop, later messages
// were dropped while keepalives still moved the bookmarks past them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import type { TestDatabase } from '../harness/test-database.js';
import { advanceSlot, flushWal, lastState, logBasedDatabase, rebuild, type Message, type StateValue } from './log-based-helpers.js';

let db: TestDatabase;
let catalog: CatalogJson;
let streamId: string;

before(async () => {
  db = await logBasedDatabase('log_based_live_writer');
  await db.query('CREATE TABLE t (id bigserial PRIMARY KEY, v integer NOT NULL); GRANT SELECT ON t TO tapuser');
  streamId = `${db.name}-public-t`;
  catalog = selectInCatalog(await discoverCatalog(db.tapConfig()), { [streamId]: { method: 'LOG_BASED' } });
  await advanceSlot(db);
});

after(async () => {
  await db?.close();
});

/** Commits one-row inserts and updates back to back until stopped. */
function startWriter(): { stop: () => Promise<number> } {
  let running = true;
  let commits = 0;
  const done = (async () => {
    const client = new pg.Client({ connectionString: db.superUrl });
    await client.connect();
    try {
      while (running) {
        if (commits % 5 === 4) await client.query('UPDATE t SET v = v + 1 WHERE id = (SELECT max(id) FROM t)');
        else await client.query('INSERT INTO t (v) VALUES ($1)', [commits]);
        commits++;
      }
    } finally {
      await client.end();
    }
  })();
  return { stop: async () => { running = false; await done; return commits; } };
}

test('runs back to back under a live writer, each from the last STATE, deliver every row (default settings)', async () => {
  const config = db.tapConfig({ logical_poll_total_seconds: 2 });
  const lines: Message[] = [];
  let state: StateValue | undefined;
  const run = async (): Promise<void> => {
    const result = await runSync(config, catalog, state);
    assert.equal(result.code, 0, result.stderr);
    lines.push(...(result.lines as Message[]));
    state = lastState(result);
  };
  await run();
  const writer = startWriter();
  try {
    for (let i = 0; i < 8; i++) await run();
  } finally {
    const commits = await writer.stop();
    assert.ok(commits > 100, `the writer committed while the tap ran (${commits})`);
  }
  await flushWal(db);
  await run();
  const target = rebuild(lines, 't', (r) => String(r.id));
  const source = await db.query<{ id: string; v: number }>('SELECT id::text, v FROM t ORDER BY id');
  const missing = source.filter((row) => !target.has(row.id));
  const different = source.filter((row) => target.has(row.id) && Number(target.get(row.id)!.v) !== row.v);
  assert.deepEqual({ missing: missing.length, different: different.length }, { missing: 0, different: 0 },
    `of ${source.length} rows, missing ids ${missing.slice(0, 10).map((r) => r.id).join(', ')}; different ${different.slice(0, 10).map((r) => r.id).join(', ')}`);
});
