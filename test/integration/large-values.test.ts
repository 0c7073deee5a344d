import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import type { TestDatabase } from '../harness/test-database.js';
import { TEST_PLUGIN } from '../harness/test-plugin.js';
import { lastState, logBasedDatabase, QUICK, syncOk } from './log-based-helpers.js';

/**
 * Values of tens of MB through every method, exact: a 48 MiB text, a 24 MiB bytea and a jsonb
 * array of a million elements, compared with the server's md5 of the same value; and a row past
 * the 512 MiB limit is VALUE_TOO_LARGE naming the table and column, not an out-of-memory crash.
 * (Not timed: `npm run bench:scale` measures these against psql.)
 */
let db: TestDatabase;
let catalog: CatalogJson;
const id = (table: string): string => `${db.name}-public-${table}`;

const FILL = `
  INSERT INTO big (id, t) SELECT 1, string_agg(md5(g::text), '') FROM generate_series(1, 1572864) g;
  INSERT INTO big (id, b) SELECT 2, decode(string_agg(md5(g::text), ''), 'hex') FROM generate_series(1, 1572864) g;
  INSERT INTO big (id, j) SELECT 3, jsonb_agg(g) FROM generate_series(1, 1000000) g;
`;

before(async () => {
  db = await logBasedDatabase('large_values');
  await db.query(`
    CREATE TABLE big (id int PRIMARY KEY, t text, b bytea, j jsonb);
    CREATE TABLE streamed (LIKE big INCLUDING ALL);
    CREATE TABLE huge (id int PRIMARY KEY, b bytea);
    GRANT SELECT ON big, streamed, huge TO tapuser;
  `);
  await db.query(FILL);
  catalog = await discoverCatalog(db.tapConfig());
});

after(async () => {
  await db?.close();
});

/** The server's md5 of each value as the tap must write it: the text, the hex of the bytes, the JSON text. */
async function expected(table: string): Promise<Map<number, string>> {
  const rows = await db.query<{ id: number; sum: string }>(`SELECT id, md5(coalesce(t, encode(b, 'hex'), j::text)) AS sum FROM ${table} ORDER BY id`);
  return new Map(rows.map((row) => [row.id, row.sum]));
}

function received(lines: unknown[], stream: string): Map<number, string> {
  const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');
  return new Map(records(lines, stream).map((record) => [record.id as number, md5((record.t ?? record.b ?? record.j) as string)]));
}

test('FULL_TABLE and INCREMENTAL: a 48 MiB text, a 24 MiB bytea and a million-element jsonb arrive exact', async (t) => {
  if (TEST_PLUGIN === 'pgoutput') return t.skip('copy-based methods do not depend on the plugin');
  const want = await expected('big');
  for (const method of ['FULL_TABLE', 'INCREMENTAL'] as const) {
    const selected = selectInCatalog(catalog, { [id('big')]: method === 'INCREMENTAL' ? { method, replicationKey: 'id' } : { method } });
    const result = await runSync(db.tapConfig(), selected);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(received(result.lines, 'big'), want, method);
  }
});

test('LOG_BASED: the same values inserted after the copy arrive exact through the change stream', async () => {
  const selected = selectInCatalog(catalog, { [id('streamed')]: { method: 'LOG_BASED' } });
  const first = await syncOk(db, selected);
  await db.query(FILL.replaceAll('INTO big', 'INTO streamed'));
  const second = await syncOk(db, selected, lastState(first), QUICK);
  assert.deepEqual(received(second.lines, 'streamed'), await expected('streamed'));
});

test('a row past 512 MiB of COPY text: VALUE_TOO_LARGE naming table and column, exit 1, no crash', async (t) => {
  if (TEST_PLUGIN === 'pgoutput') return t.skip('the limit is the copy reader\'s');
  // 264 MiB of bytes are 528 MiB of hex; repeated bytes compress, so the table stays small on disk.
  await db.query("INSERT INTO huge VALUES (1, decode(repeat('ab', 264 * 1024 * 1024), 'hex'))");
  const selected = selectInCatalog(catalog, { [id('huge')]: { method: 'FULL_TABLE' } });
  const result = await runSync(db.tapConfig(), selected);
  assert.equal(result.code, 1, result.stderr);
  const error = result.stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number; code?: string; msg: string; hint?: string }).find((line) => line.level === 50);
  assert.equal(error?.code, 'VALUE_TOO_LARGE', result.stderr);
  assert.match(error.msg, /public\.huge .*more than 512 MiB.*column "b"/);
  assert.match(error.hint ?? '', /Deselect column "b"/);
  assert.equal(records(result.lines, 'huge').length, 0);
});
