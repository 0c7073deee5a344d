// The workload checker's seeded reduced form (the long form: npm run test:workload). Writers run
// the whole time; runs back to back with faults; then 0 rows missing and 0 rows different for every
// method (INCREMENTAL may keep rows the source deleted: it cannot see deletes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testSeed } from '../harness/seeded-random.js';
import { runWorkload } from './workload.js';

const LONG = process.env.WORKLOAD === 'long';
const minutes = Number(process.env.WORKLOAD_MINUTES ?? (LONG ? 30 : 0));

test(`workload checker (${LONG ? 'long' : 'reduced'} form): writers, faults and all three methods lose nothing`, { timeout: (minutes + 20) * 60_000 }, async (t) => {
  const report = await runWorkload({
    seed: testSeed(),
    runs: LONG ? 100_000 : Number(process.env.WORKLOAD_RUNS ?? 24),
    durationMs: LONG ? minutes * 60_000 : 20 * 60_000,
    faultChance: 0.5,
    writerSessions: 3,
    writerPauseMs: 20,
    largeChance: LONG ? 0.004 : 0.01,
    initialRows: 2000,
    tapConfig: { state_interval_rows: 500 },
    log: (line) => { if (process.env.WORKLOAD_LOG === '1' || LONG) process.stderr.write(`workload: ${line}\n`); },
  });
  t.diagnostic(`seed ${report.seed}: ${report.runs} runs, ${report.faults} faults ${JSON.stringify(report.byPattern)}, errors ${JSON.stringify(report.errors)}, ${report.writer.transactions} transactions (${report.writer.rowChanges} row changes, ${report.writer.rolledBack} rolled back, ${report.writer.truncates} truncates, ${report.writer.columnsAdded} columns added), ${report.received} records received, re-delivery per stream ${JSON.stringify(report.redelivery)} (FULL_TABLE copies count once per version), ${(report.ms / 1000).toFixed(0)} s`);
  for (const c of report.comparisons) {
    t.diagnostic(`${c.table} (${c.method}): ${c.sourceRows} rows, ${c.missing.length} missing, ${c.different.length} different, ${c.extra.length} extra`);
  }
  assert.deepEqual(report.writer.otherErrors.slice(0, 5), [], 'the writers themselves work');
  assert.deepEqual(report.badRuns.map((r) => `${r.pattern}: exit ${r.code ?? r.signal} ${r.error ?? ''}\n${r.stderrTail.slice(-1500)}`), []);
  for (const c of report.comparisons) {
    assert.deepEqual({ missing: c.missing.slice(0, 5), different: c.different.slice(0, 5) }, { missing: [], different: [] }, `${c.table} (${c.method}): ${c.missing.length} missing, ${c.different.length} different of ${c.sourceRows}`);
    if (c.method !== 'INCREMENTAL') assert.deepEqual(c.extra.slice(0, 5), [], `${c.table}: ${c.extra.length} rows the source no longer has`);
  }
});
