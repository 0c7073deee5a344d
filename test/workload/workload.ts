// The workload checker: the tap as a black box on its own cluster, seeded writers running the
// whole time, runs back to back in random patterns (faults among them), then the writers stop,
// drain runs catch up, and every table is rebuilt from the committed RECORDs and compared with the
// source: rows missing, rows different, and how often records were delivered more than once.
import pg from 'pg';
import { selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { ensurePostgresInstalled } from '../harness/ensure-server.js';
import { seededRandom } from '../harness/seeded-random.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import { runTapOnce, PATTERNS, type Pattern, type RunContext, type RunOutcome } from './tap-run.js';
import { compareTable, TargetModel, type Comparison } from './target-model.js';
import { createWorkloadSchema, readSource, REPLICATION_KEY, TABLES } from './workload-schema.js';
import { startWriters, type WriterStats } from './writers.js';
import { createSlot } from '../harness/test-plugin.js';

export interface WorkloadOptions {
  seed: number;
  /** Runs while the writers write (the drain runs come on top). */
  runs: number;
  /** Or stop starting runs after this long. */
  durationMs: number;
  /** Chance that a run is a fault pattern. */
  faultChance: number;
  writerSessions: number;
  writerPauseMs: number;
  largeChance: number;
  initialRows: number;
  /** Extra tap config (e.g. state_interval_rows). */
  tapConfig?: Record<string, unknown>;
  log: (line: string) => void;
}

export interface WorkloadReport {
  seed: number;
  runs: number;
  faults: number;
  byPattern: Record<string, { runs: number; faulted: number }>;
  errors: Record<string, number>;
  writer: WriterStats;
  comparisons: Comparison[];
  received: number;
  /** Per stream: records received over distinct records (1.00 = nothing sent twice). */
  redelivery: Record<string, number>;
  /** Runs that failed in a way that is not allowed (INTERNAL, a clean run failing, a non-retryable error after a fault). */
  badRuns: RunOutcome[];
  ms: number;
}

const DATABASE = 'workload';

export async function runWorkload(options: WorkloadOptions): Promise<WorkloadReport> {
  const started = Date.now();
  await ensurePostgresInstalled();
  // Synchronous commit: a commit the tap has seen must survive an immediate shutdown, or the source
  // itself would forget what it showed (the suite's other clusters run with it off, for speed).
  const cluster = await startCluster({ settings: { synchronous_commit: 'on', wal_sender_timeout: '10s' } });
  try {
    return await run(cluster, options, started);
  } finally {
    await cluster.stop().catch(() => undefined);
  }
}

async function run(cluster: Cluster, options: WorkloadOptions, started: number): Promise<WorkloadReport> {
  const random = seededRandom(options.seed);
  await cluster.query(`CREATE DATABASE ${DATABASE}`);
  await cluster.query(`GRANT CONNECT ON DATABASE ${DATABASE} TO tapuser; GRANT pg_read_all_stats TO tapuser`);
  const admin = new pg.Client({ connectionString: cluster.url(DATABASE) });
  await admin.connect();
  await createWorkloadSchema(admin, options.initialRows);
  await createSlot((sql, params) => admin.query(sql, params), `stitch_${DATABASE}`);
  await admin.end();
  const config = { host: cluster.host, port: cluster.port, user: 'tapuser', password: 'tappass', dbname: DATABASE, filter_dbs: DATABASE, ...options.tapConfig };
  const discovered = await discoverCatalog(config);
  const catalog: CatalogJson = selectInCatalog(discovered, Object.fromEntries(TABLES.map((table) => [`${DATABASE}-public-${table.name}`, {
    method: table.method,
    ...(table.method === 'INCREMENTAL' ? { replicationKey: REPLICATION_KEY } : {}),
  }])));
  const target = new TargetModel(TABLES);
  const context: RunContext = { cluster, database: DATABASE, config, catalog, target, random, delivery: new Map() };
  const byPattern: Record<string, { runs: number; faulted: number }> = {};
  const errors: Record<string, number> = {};
  const badRuns: RunOutcome[] = [];
  let runs = 0;
  let faults = 0;
  const record = (outcome: RunOutcome): void => {
    runs++;
    const entry = byPattern[outcome.pattern] ?? { runs: 0, faulted: 0 };
    byPattern[outcome.pattern] = entry;
    entry.runs++;
    if (outcome.faulted) {
      entry.faulted++;
      faults++;
    }
    if (outcome.error !== null) errors[outcome.error] = (errors[outcome.error] ?? 0) + 1;
    if (!acceptable(outcome)) badRuns.push(outcome);
    options.log(`run ${runs} ${outcome.pattern}${outcome.faulted ? ' (fault)' : ''}: exit ${outcome.code ?? outcome.signal}${outcome.error === null ? '' : ` ${outcome.error}`}, ${outcome.received} records, ${outcome.dropped} uncommitted${outcome.partialLine ? ', stdout ended mid-line' : ''}`);
  };

  const writers = startWriters({ url: cluster.url(DATABASE), sessions: options.writerSessions, random, pauseMs: options.writerPauseMs, largeChance: options.largeChance });
  try {
    for (let i = 0; i < options.runs && Date.now() - started < options.durationMs; i++) {
      const pattern: Pattern = i === 0 || random() >= options.faultChance ? (random() < 0.8 ? 'clean' : 'slow-reader') : PATTERNS[2 + Math.floor(random() * (PATTERNS.length - 2))] as Pattern;
      record(await runTapOnce(context, pattern));
    }
  } finally {
    await writers.stop();
  }
  options.log(`writers stopped: ${JSON.stringify(writers.stats)}`);
  for (let i = 0; i < 2; i++) record(await runTapOnce(context, 'clean'));

  const reader = new pg.Client({ connectionString: cluster.url(DATABASE) });
  await reader.connect();
  const comparisons: Comparison[] = [];
  try {
    for (const table of TABLES) comparisons.push(compareTable(table, await readSource(reader, table), target.rows(table.name)));
  } finally {
    await reader.end();
  }
  return { seed: options.seed, runs, faults, byPattern, errors, writer: writers.stats, comparisons, received: target.received, redelivery: Object.fromEntries([...context.delivery].map(([stream, entry]) => [stream, Number((entry.received / Math.max(1, entry.distinct.size)).toFixed(3))])), badRuns, ms: Date.now() - started };
}

/** Clean runs succeed; a faulted run may fail, but only with a coded error a retry can fix. */
function acceptable(outcome: RunOutcome): boolean {
  if (outcome.error === 'INTERNAL') return false;
  if (outcome.partialLine && outcome.signal !== 'SIGKILL') return false;
  if (outcome.pattern === 'clean' || outcome.pattern === 'slow-reader' || !outcome.faulted) return outcome.code === 0;
  if (outcome.pattern === 'kill') return outcome.signal === 'SIGKILL' || outcome.code === 0;
  return outcome.code === 0 || outcome.retryable === true;
}
