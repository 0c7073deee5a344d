// FULL_TABLE throughput next to psql's own COPY, on the same data in the same run (design.md §9).
//
//   npm run bench:full-table                      # 100k and 1M rows
//   node dist/bench/full-table.js --rows 250000   # one size
//   node dist/bench/full-table.js --rows 250000 --both --repeat 5
//
// Each size: a table of mixed types, VACUUM ANALYZE, then `--repeat` rounds (default 3) of
// (a) psql `\copy (select * from t) to /dev/null` and (b) the tap's sync with stdout on /dev/null,
// both as tapuser over TCP. Best and median wall times become rows/s; the tap's peak RSS comes from
// GNU time (`/usr/bin/time -f %M`) or, without it, from polling /proc/<pid>/status. A table goes to
// stdout and the same numbers as JSON to bench/results/full-table-<date>.json.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, selectStream, type Catalog } from './bench-catalog.js';
import { runBench, writeBenchResult } from './bench-results.js';
import { pollPeakRss } from './peak-rss.js';
import { startCluster, type Cluster } from '../test/harness/cluster.js';
import { ensurePostgresInstalled } from '../test/harness/ensure-server.js';

/** This file runs from dist/bench, two levels below the repository root. */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tapBin = join(repoRoot, 'bin', 'tap-postgres.js');
const GNU_TIME = '/usr/bin/time';
const DB = 'bench';

interface Options { sizes: number[]; repeat: number }
interface Run { ms: number; peakRssKb?: number; rows?: number; logRowsPerSecond?: number }
interface SizeResult {
  rows: number; table: string;
  psql: { runsMs: number[]; bestRowsPerSecond: number; medianRowsPerSecond: number };
  tap: { runsMs: number[]; bestRowsPerSecond: number; medianRowsPerSecond: number; peakRssMb: number; logRowsPerSecond: number[] };
  ratioTapToPsql: number; ratioTapToPsqlMedian: number;
}

function parseArgs(argv: string[]): Options {
  let rows: number | null = null;
  let both = false;
  let repeat = 3;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--rows') rows = next();
    else if (a === '--repeat') repeat = next();
    else if (a === '--both') both = true;
    else throw new Error(`unknown argument ${a} (use --rows N, --both, --repeat N)`);
  }
  const sizes = rows === null ? [100_000, 1_000_000] : both ? [...new Set([100_000, rows])] : [rows];
  return { sizes: sizes.sort((x, y) => x - y), repeat };
}

const log = (msg: string): void => { process.stderr.write(`bench: ${msg}\n`); };
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const perSecond = (rows: number, ms: number): number => Math.round((rows * 1000) / ms);

function tableSql(table: string, rows: number): string {
  return `
    SELECT setseed(0.42);
    CREATE TABLE ${table} (
      id bigint PRIMARY KEY, n bigint, amount numeric(18,4), label text, ts timestamptz, flag boolean,
      d date, u uuid, f double precision, doc jsonb, arr int[]);
    INSERT INTO ${table}
    SELECT i,
           (i::bigint * 7919) % 1000003 - 500000,
           round((random() * 1e9)::numeric, 4),
           'customer ' || md5(i::text),
           timestamptz '2020-01-01 00:00:00+00' + i * interval '1.234567 second',
           CASE WHEN i % 10 = 0 THEN NULL ELSE i % 3 = 0 END,
           date '2000-01-01' + (i % 10000),
           md5('u' || i)::uuid,
           random() * 1e6,
           jsonb_build_object('k', i % 100, 's', 'v' || (i % 7), 'ok', i % 2 = 0),
           ARRAY[i % 10, i % 100, i % 1000]
    FROM generate_series(1, ${rows}) AS i;
    GRANT SELECT ON ${table} TO tapuser;`;
}

/** Spawns and times a command; stdout goes to /dev/null, stderr is collected. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, pollRss: boolean): Promise<{ ms: number; stderr: string; peakRssKb?: number }> {
  return new Promise((resolve, reject) => {
    const devNull = openSync('/dev/null', 'w');
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: ['ignore', devNull, 'pipe'] });
    closeSync(devNull);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const poll = pollRss ? pollPeakRss(child.pid) : null;
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const peak = poll?.stop() ?? 0;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${stderr.slice(-3000)}`));
      else resolve({ ms, stderr, ...(pollRss ? { peakRssKb: peak } : {}) });
    });
  });
}

async function runPsql(cluster: Cluster, table: string): Promise<Run> {
  const own = join(cluster.binDir, 'psql');
  const psql = existsSync(own) ? own : 'psql';
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', cluster.host, '-p', String(cluster.port), '-U', 'tapuser', '-d', DB,
    '-c', `\\copy (select * from ${table}) to /dev/null`];
  const { ms } = await timed(psql, args, childEnv({ PGPASSWORD: 'tappass' }), false);
  return { ms };
}

async function runTap(configPath: string, catalogPath: string, expectedRows: number): Promise<Run> {
  const useTime = existsSync(GNU_TIME);
  const tapArgs = [tapBin, '--config', configPath, '--catalog', catalogPath];
  const [cmd, args] = useTime ? [GNU_TIME, ['-f', '%M', process.execPath, ...tapArgs]] : [process.execPath, tapArgs];
  const r = await timed(cmd, args, childEnv({}), !useTime);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  let peakRssKb = r.peakRssKb;
  if (useTime) peakRssKb = Number(lines.pop());
  const end = lines.map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return null; } })
    .find((o) => o !== null && typeof o.rows === 'number' && typeof o.rows_per_second === 'number');
  if (!end) throw new Error(`no stream end line in the tap's log:\n${r.stderr.slice(-2000)}`);
  if (end.rows !== expectedRows) throw new Error(`tap synced ${String(end.rows)} rows, expected ${expectedRows}`);
  return { ms: r.ms, rows: end.rows as number, logRowsPerSecond: end.rows_per_second as number, ...(peakRssKb ? { peakRssKb } : {}) };
}

function printTable(results: SizeResult[]): void {
  const head = ['rows', 'psql rows/s', 'tap rows/s', 'tap/psql', 'tap peak RSS MB', 'psql median', 'tap median', 'tap/psql median', 'tap log rows/s'];
  const rows = results.map((r) => [r.rows, r.psql.bestRowsPerSecond, r.tap.bestRowsPerSecond, r.ratioTapToPsql.toFixed(2),
    r.tap.peakRssMb.toFixed(1), r.psql.medianRowsPerSecond, r.tap.medianRowsPerSecond, r.ratioTapToPsqlMedian.toFixed(2),
    Math.max(...r.tap.logRowsPerSecond)]
    .map((v) => (typeof v === 'number' ? v.toLocaleString('en-US') : v)));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  process.stdout.write(`${line(head)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  await ensurePostgresInstalled();
  const work = mkdtempSync(join(tmpdir(), 'tap-bench-'));
  let cluster: Cluster | null = null;
  try {
    log(`starting a throwaway PostgreSQL; sizes ${opts.sizes.join(', ')}, ${opts.repeat} rounds each`);
    cluster = await startCluster();
    await cluster.query(`CREATE DATABASE ${DB}`);
    for (const rows of opts.sizes) {
      const t0 = Date.now();
      await cluster.query(tableSql(`t_${rows}`, rows), undefined, DB);
      log(`created t_${rows} (${rows} rows) in ${Date.now() - t0} ms`);
    }
    await cluster.query('VACUUM ANALYZE', undefined, DB);

    const configPath = join(work, 'config.json');
    writeFileSync(configPath, JSON.stringify({ host: cluster.host, port: cluster.port, user: 'tapuser', password: 'tappass', dbname: DB, filter_dbs: DB }));
    const discovered = spawnSync(process.execPath, [tapBin, '--config', configPath, '--discover'], { cwd: repoRoot, env: childEnv({}), encoding: 'utf8', maxBuffer: 64 << 20 });
    if (discovered.status !== 0) throw new Error(`discovery failed:\n${discovered.stderr}`);
    const catalog = JSON.parse(discovered.stdout) as Catalog;

    const results: SizeResult[] = [];
    for (const rows of opts.sizes) {
      const table = `t_${rows}`;
      const catalogPath = join(work, `${table}.catalog.json`);
      writeFileSync(catalogPath, JSON.stringify(selectStream(catalog, table, 'FULL_TABLE')));
      const psqlRuns: Run[] = [];
      const tapRuns: Run[] = [];
      for (let round = 1; round <= opts.repeat; round++) {
        psqlRuns.push(await runPsql(cluster, table));
        tapRuns.push(await runTap(configPath, catalogPath, rows));
        const p = psqlRuns.at(-1)!;
        const t = tapRuns.at(-1)!;
        log(`${table} round ${round}: psql ${p.ms.toFixed(0)} ms, tap ${t.ms.toFixed(0)} ms (${((t.peakRssKb ?? 0) / 1024).toFixed(1)} MB peak RSS)`);
      }
      const psqlMs = psqlRuns.map((r) => r.ms);
      const tapMs = tapRuns.map((r) => r.ms);
      const psqlBest = perSecond(rows, Math.min(...psqlMs));
      const tapBest = perSecond(rows, Math.min(...tapMs));
      const psqlMedian = perSecond(rows, median(psqlMs));
      const tapMedian = perSecond(rows, median(tapMs));
      results.push({
        rows, table,
        psql: { runsMs: psqlMs.map(Math.round), bestRowsPerSecond: psqlBest, medianRowsPerSecond: psqlMedian },
        tap: {
          runsMs: tapMs.map(Math.round), bestRowsPerSecond: tapBest, medianRowsPerSecond: tapMedian,
          peakRssMb: Math.max(...tapRuns.map((r) => r.peakRssKb ?? 0)) / 1024,
          logRowsPerSecond: tapRuns.map((r) => r.logRowsPerSecond ?? 0),
        },
        ratioTapToPsql: tapBest / psqlBest, ratioTapToPsqlMedian: tapMedian / psqlMedian,
      });
    }

    printTable(results);
    const now = new Date();
    const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout?.trim() || null;
    const report = {
      bench: 'full-table', date: now.toISOString(), commit, node: process.version, serverVersionNum: cluster.serverVersionNum,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, totalMemMb: Math.round(totalmem() / 2 ** 20) },
      repeat: opts.repeat, rssSource: existsSync(GNU_TIME) ? 'GNU time %M' : '/proc/<pid>/status VmHWM polled every 50 ms',
      notes: 'wall times include process start; best = fastest round; ratio = tap rows/s / psql rows/s; logRowsPerSecond = the tap\'s own end-of-stream log (stream time only, no start-up)',
      results,
    };
    log(`wrote ${writeBenchResult('full-table', now, report)}`);
  } finally {
    await cluster?.stop().catch((err: Error) => log(`stopping the cluster failed: ${err.message}`));
    rmSync(work, { recursive: true, force: true });
  }
}

runBench(main);
