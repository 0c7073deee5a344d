import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { collectText, lineReader } from '../harness/line-reader.js';
import { spawnTap } from '../harness/run-cli.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';
import { createSlot } from '../harness/test-plugin.js';

/**
 * One transaction updating every row of a 1,000,000-row table (LOG_MEMORY_ROWS to change) reaches
 * the tap as one wal2json document per change: it must stream through with a peak RSS under 250 MB
 * (sampled from /proc every 50 ms, VmHWM included) and deliver every update. The input state
 * carries the slot's position as the stream's lsn, so the run reads changes without a copy.
 */
const ROWS = Number(process.env.LOG_MEMORY_ROWS ?? 1_000_000);
const PEAK_RSS_LIMIT_MB = 250;
let db: TestDatabase;
let catalog: CatalogJson;
let state: unknown;

before(async () => {
  // Its own cluster: this file writes gigabytes of WAL in one transaction, which every slot of a
  // shared server would have to read through (and which CI saw coincide with other files' slots
  // losing WAL, issue 7).
  db = await createTestDatabase('log_based_memory', { ownCluster: true });
  await db.query(`
    CREATE TABLE big (id integer PRIMARY KEY, n integer NOT NULL, pad text NOT NULL);
    INSERT INTO big SELECT g, g, md5(g::text) || md5((g + 1)::text) FROM generate_series(1, ${ROWS}) g;
    GRANT SELECT ON big TO tapuser;
  `);
  await createSlot((sql, params) => db.query(sql, params), `stitch_${db.name}`);
  const [slot] = await db.query<{ lsn: string }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [`stitch_${db.name}`]);
  const [hi, lo] = slot!.lsn.split('/') as [string, string];
  const streamId = `${db.name}-public-big`;
  catalog = selectInCatalog(await discoverCatalog(db.tapConfig()), { [streamId]: { method: 'LOG_BASED' } });
  state = { currently_syncing: null, bookmarks: { [streamId]: { last_replication_method: 'LOG_BASED', version: 1, lsn: Number((BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`)) } } };
  // One transaction; synchronous_commit on so the commit is flushed (decoding reads flushed WAL only).
  await db.query(`BEGIN; SET LOCAL synchronous_commit = on; UPDATE big SET n = n + 1; COMMIT;`);
});

after(async () => {
  await db?.close();
});

function memoryKb(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0), hwm: Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

test(`a single transaction updating ${ROWS.toLocaleString('en-US')} rows streams under ${PEAK_RSS_LIMIT_MB} MB RSS`, { timeout: 600_000, skip: process.platform !== 'linux' ? 'reads /proc' : false }, async (t) => {
  const started = Date.now();
  const config = db.tapConfig({ break_at_end_lsn: true, logical_poll_total_seconds: 60 });
  const child = spawnTap(['--config', '@config', '--catalog', '@catalog', '--state', '@state'], { files: { config, catalog, state } });
  let peakKb = 0;
  let recordsAtPeak = 0;
  let records = 0;
  const sampler = setInterval(() => {
    const { rss, hwm } = memoryKb(child.pid!);
    if (Math.max(rss, hwm) > peakKb) {
      peakKb = Math.max(rss, hwm);
      recordsAtPeak = records;
    }
  }, 50);
  const seen = new Uint8Array(ROWS + 1);
  let wrong = 0;
  let firstRecordAt = 0;
  let lastState: unknown = null;
  const stderr = collectText(child.stderr);
  lineReader(child.stdout, (line) => {
    if (line.startsWith('{"type":"RECORD"')) {
      firstRecordAt ||= Date.now();
      const record = (JSON.parse(line) as { record: { id: number; n: number; _sdc_deleted_at: unknown } }).record;
      records++;
      if (record.n !== record.id + 1 || record._sdc_deleted_at !== null) wrong++;
      else seen[record.id] = 1;
    } else if (line.startsWith('{"type":"STATE"')) {
      lastState = JSON.parse(line);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(sampler);
  assert.equal(code, 0, stderr.text.slice(-3000));
  assert.equal(wrong, 0, 'every record carries the updated value');
  assert.equal(records, ROWS, `one record per updated row (${stderr.text.match(/"msg":"log-based read[^"]*"/)?.[0] ?? ''})`);
  assert.equal(seen.reduce((sum, bit) => sum + bit, 0), ROWS, 'every row delivered');
  assert.ok(lastState !== null, 'a STATE after the transaction');
  assert.ok(peakKb > 0, 'sampled the tap');
  const peakMb = peakKb / 1024;
  t.diagnostic(`${ROWS} updates: peak RSS ${peakMb.toFixed(1)} MB (reached after ${recordsAtPeak} records), first record after ${((firstRecordAt - started) / 1000).toFixed(1)} s, run ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.ok(peakMb < PEAK_RSS_LIMIT_MB, `peak RSS ${peakMb.toFixed(1)} MB (after ${recordsAtPeak} records) < ${PEAK_RSS_LIMIT_MB} MB`);
});
