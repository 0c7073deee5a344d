// Scale (issue 20): the tap next to psql on the same objects in the same run, with the tap's peak RSS.
//
//   npm run bench:scale                                          # every part, default sizes
//   node dist/bench/scale.js --only discovery --tables 1000,10000 --repeat 3
//   node dist/bench/scale.js --only streams,values --streams 500 --value-mb 16
//
// One throwaway cluster, one database per measured object set (`filter_dbs` names only that one):
//   discovery   scale_1k, scale_10k: N empty tables of 10 mixed columns; the whole `--discover`
//               process (stdout on /dev/null) vs psql copying the same pg_attribute listing to /dev/null;
//   streams     scale_streams: 2,000 tables of 50 rows, all selected FULL_TABLE in one tap run vs one
//               psql process running a script of 2,000 `\copy (SELECT * FROM t_i) to '/dev/null'`;
//   values      scale_values: one row each of a 64 MiB text, a 32 MiB bytea and a jsonb array of 4M
//               elements, one tap run per table vs psql `\copy` of that table;
//   full-table  scale_full_table: the full-table bench's mixed-type table at 100k, 1M and 10M rows (--full-rows),
//               tap vs psql `\copy`; the rows/s target is read at 1M, the RSS must stay flat across the sizes.
// psql connects as superuser, the tap as tapuser, both over the Unix socket. Times are wall times of
// the whole process (start-up included); psql runs first in every round. The tap's peak RSS comes from
// GNU time (`/usr/bin/time -f %M`) or /proc polling. A markdown table goes to stdout, the same numbers
// as JSON to bench/results/scale-<date>.json. Targets are reported, not asserted.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, selectStream, type Catalog } from './bench-catalog.js';
import { runBench, writeBenchResult } from './bench-results.js';
import { pollPeakRss } from './peak-rss.js';
import { startCluster, type Cluster } from '../test/harness/cluster.js';
import { ensurePostgresInstalled } from '../test/harness/ensure-server.js';

/** dist/bench is two levels below the repository root; the override lets a copy compiled elsewhere find the tap. */
const repoRoot = process.env.TAP_BENCH_REPO_ROOT ?? fileURLToPath(new URL('../../', import.meta.url));
const tapBin = join(repoRoot, 'bin', 'tap-postgres.js');
const GNU_TIME = '/usr/bin/time';
const PARTS = ['discovery', 'streams', 'values', 'full-table'] as const;
type Part = (typeof PARTS)[number];
const ROWS_PER_STREAM = 50;
/** Tables created per statement: each holds ~4 locks (heap, key, toast, toast index) until it commits. */
const CREATE_BATCH = 1000;

interface Options { only: Part[]; tables: number[]; streams: number; valueMb: number; fullRows: number[]; repeat: number }
interface Timing { runsMs: number[]; bestMs: number; medianMs: number }
interface Timed { ms: number; stderr: string; peakRssKb: number }
interface Row {
  part: Part; what: string; tap: Timing; psql: Timing; peakRssMb: number;
  ratio: number; ratioKind: string; target: string; met: boolean | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { only: [...PARTS], tables: [1000, 10_000], streams: 2000, valueMb: 64, fullRows: [100_000, 1_000_000, 10_000_000], repeat: 1 };
  const ints = (a: string, v: string | undefined): number[] => {
    const list = (v ?? '').split(',').map(Number);
    if (!list.every((n) => Number.isInteger(n) && n >= 1)) throw new Error(`${a} needs positive integers`);
    return list;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--only') {
      const list = (argv[++i] ?? '').split(',');
      if (!list.every((p): p is Part => (PARTS as readonly string[]).includes(p))) throw new Error(`--only takes a comma-separated list of ${PARTS.join(', ')}`);
      o.only = list;
    } else if (a === '--tables') o.tables = ints(a, argv[++i]);
    else if (a === '--streams') o.streams = ints(a, argv[++i])[0]!;
    else if (a === '--value-mb') o.valueMb = ints(a, argv[++i])[0]!;
    else if (a === '--full-rows') o.fullRows = ints(a, argv[++i]);
    else if (a === '--repeat') o.repeat = ints(a, argv[++i])[0]!;
    else throw new Error(`unknown argument ${a} (use --only ${PARTS.join(',')}, --tables N,N, --streams N, --value-mb N, --full-rows N, --repeat N)`);
  }
  return o;
}

const log = (msg: string): void => { process.stderr.write(`bench: ${msg}\n`); };
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const timing = (runsMs: number[]): Timing => ({ runsMs: runsMs.map(Math.round), bestMs: Math.round(Math.min(...runsMs)), medianMs: Math.round(median(runsMs)) });
const sizeLabel = (n: number): string => (n % 1000 === 0 ? `${n / 1000}k` : String(n));

/** Spawns and times a command with stdout on a file (/dev/null by default); with `rss`, also its peak RSS. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, stdoutPath = '/dev/null', rss = false): Promise<Timed> {
  const useTime = rss && existsSync(GNU_TIME);
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%M', cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const out = openSync(stdoutPath, 'w');
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd: repoRoot, env, stdio: ['ignore', out, 'pipe'] });
    closeSync(out);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const poll = rss && !useTime ? pollPeakRss(child.pid) : null;
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const polledKb = poll?.stop() ?? 0;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ').slice(0, 300)} failed (${signal ?? `exit ${code}`}):\n${stderr.slice(-3000)}`));
      const lines = stderr.trimEnd().split('\n');
      // GNU time's %M is the last line of the child's stderr.
      const peakRssKb = useTime ? Number(lines.pop()) : polledKb;
      resolve({ ms, stderr: useTime ? lines.join('\n') : stderr, peakRssKb });
    });
  });
}

const runTap = (args: string[], stdoutPath = '/dev/null'): Promise<Timed> => timed(process.execPath, [tapBin, ...args], childEnv(), stdoutPath, true);

async function runPsql(cluster: Cluster, db: string, args: string[]): Promise<number> {
  const own = join(cluster.binDir, 'psql');
  const argv = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', cluster.socketDir, '-p', String(cluster.port), '-U', cluster.superuser, '-d', db, ...args];
  return (await timed(existsSync(own) ? own : 'psql', argv, childEnv({ PGPASSWORD: cluster.superuserPassword }))).ms;
}

/** Rows the tap reports in its end-of-stream log lines, summed over every stream. */
function syncedRows(stderr: string): number {
  let rows = 0;
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    if (typeof o.rows === 'number' && typeof o.rows_per_second === 'number') rows += o.rows;
  }
  return rows;
}

/** `repeat` rounds of psql then the tap; `check` rejects a tap run that did not do the whole job. */
async function measure(label: string, repeat: number, psql: () => Promise<number>, tap: () => Promise<Timed>, check: (t: Timed) => void = () => {}): Promise<Pick<Row, 'tap' | 'psql' | 'peakRssMb'>> {
  const psqlMs: number[] = [];
  const tapMs: number[] = [];
  let peakKb = 0;
  for (let round = 1; round <= repeat; round++) {
    psqlMs.push(await psql());
    const t = await tap();
    check(t);
    tapMs.push(t.ms);
    peakKb = Math.max(peakKb, t.peakRssKb);
    log(`${label} round ${round}: psql ${psqlMs.at(-1)!.toFixed(0)} ms, tap ${t.ms.toFixed(0)} ms (${(t.peakRssKb / 1024).toFixed(1)} MB peak RSS)`);
  }
  return { psql: timing(psqlMs), tap: timing(tapMs), peakRssMb: peakKb / 1024 };
}

const expectRows = (expected: number) => (t: Timed): void => {
  const rows = syncedRows(t.stderr);
  if (rows !== expected) throw new Error(`tap synced ${rows} rows, expected ${expected}:\n${t.stderr.slice(-2000)}`);
};

/** A fresh database whose future tables tapuser may read, and a config that discovers only it. */
async function createDatabase(cluster: Cluster, work: string, db: string): Promise<string> {
  await cluster.query(`CREATE DATABASE "${db}"`);
  await cluster.query('ALTER DEFAULT PRIVILEGES IN SCHEMA "public" GRANT SELECT ON TABLES TO tapuser', undefined, db);
  const configPath = join(work, `${db}.config.json`);
  writeFileSync(configPath, JSON.stringify({ host: cluster.socketDir, port: cluster.port, user: 'tapuser', password: 'tappass', dbname: db, filter_dbs: db }));
  return configPath;
}

/** Tables "t_<from>".."t_<to>" of ten mixed simple types, each with `rows` rows, in one DO block (no % in the format() strings). */
function mixedTablesSql(from: number, to: number, rows: number): string {
  return `DO $do$ BEGIN FOR i IN ${from}..${to} LOOP
    EXECUTE format($f$CREATE TABLE "public".%I ("id" bigint PRIMARY KEY, "n" integer, "label" text, "amount" numeric(12,2),
      "ts" timestamptz, "flag" boolean, "doc" jsonb, "d" date, "u" uuid, "f" double precision)$f$, 't_' || i);
    IF ${rows} > 0 THEN
      EXECUTE format($f$INSERT INTO "public".%I SELECT g, g * 7, 'row ' || md5(g::text), g * 1.25,
        timestamptz '2020-01-01 00:00:00+00' + g * interval '1 minute', mod(g, 2) = 0, jsonb_build_object('k', g),
        date '2000-01-01' + g, md5(g::text)::uuid, g / 3.0::float8 FROM generate_series(1, %s) AS g$f$, 't_' || i, ${rows});
    END IF;
  END LOOP; END $do$`;
}

async function createMixedTables(cluster: Cluster, db: string, count: number, rows: number): Promise<void> {
  const t0 = Date.now();
  for (let from = 1; from <= count; from += CREATE_BATCH) {
    await cluster.query(mixedTablesSql(from, Math.min(count, from + CREATE_BATCH - 1), rows), undefined, db);
    log(`${db}: ${Math.min(count, from + CREATE_BATCH - 1)}/${count} tables (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  await cluster.query('VACUUM ANALYZE', undefined, db);
}

/** Discovery into a file: the catalog the sync parts select from, and the check that every table was found. */
async function discover(configPath: string, catalogPath: string, expectedStreams: number): Promise<Catalog> {
  await runTap(['--config', configPath, '--discover'], catalogPath);
  const catalog = JSON.parse(readFileSync(catalogPath, 'utf8')) as Catalog;
  if (catalog.streams.length !== expectedStreams) throw new Error(`discovery found ${catalog.streams.length} streams, expected ${expectedStreams}`);
  return catalog;
}

async function discoveryPart(cluster: Cluster, work: string, opts: Options): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of opts.tables) {
    const db = `scale_${sizeLabel(n)}`;
    const configPath = await createDatabase(cluster, work, db);
    await createMixedTables(cluster, db, n, 0);
    // The untimed first discovery checks the count and warms the server's caches for both readers.
    await discover(configPath, join(work, `${db}.catalog.json`), n);
    const listing = `\\copy (SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped) to '/dev/null'`;
    const m = await measure(`discovery ${n} tables`, opts.repeat, () => runPsql(cluster, db, ['-c', listing]), () => runTap(['--config', configPath, '--discover']));
    const at10k = n === 10_000;
    rows.push({ part: 'discovery', what: `discovery, ${n.toLocaleString('en-US')} tables × 10 columns`, ...m, ratio: m.tap.bestMs / m.psql.bestMs, ratioKind: 'tap/psql time',
      target: at10k ? 'tap ≤ 5 s' : '(≤ 5 s at 10k)', met: at10k ? m.tap.bestMs <= 5000 : null });
  }
  return rows;
}

async function streamsPart(cluster: Cluster, work: string, opts: Options): Promise<Row[]> {
  const db = 'scale_streams';
  const configPath = await createDatabase(cluster, work, db);
  await createMixedTables(cluster, db, opts.streams, ROWS_PER_STREAM);
  const catalog = await discover(configPath, join(work, `${db}.discovered.json`), opts.streams);
  for (const stream of catalog.streams) {
    const top = stream.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
    top.selected = true;
    top['replication-method'] = 'FULL_TABLE';
  }
  const catalogPath = join(work, `${db}.catalog.json`);
  writeFileSync(catalogPath, JSON.stringify(catalog));
  // One psql process for every copy, so its time is the copies and not thousands of process starts.
  const script = join(work, 'streams.psql');
  writeFileSync(script, Array.from({ length: opts.streams }, (_, i) => `\\copy (SELECT * FROM "public"."t_${i + 1}") to '/dev/null'\n`).join(''));
  const m = await measure(`${opts.streams} streams`, opts.repeat, () => runPsql(cluster, db, ['-f', script]),
    () => runTap(['--config', configPath, '--catalog', catalogPath]), expectRows(opts.streams * ROWS_PER_STREAM));
  const ratio = m.tap.bestMs / m.psql.bestMs;
  return [{ part: 'streams', what: `${opts.streams.toLocaleString('en-US')} streams × ${ROWS_PER_STREAM} rows, one run`, ...m, ratio, ratioKind: 'tap/psql time', target: 'tap/psql ≤ 3', met: ratio <= 3 }];
}

async function valuesPart(cluster: Cluster, work: string, opts: Options): Promise<Row[]> {
  const db = 'scale_values';
  const configPath = await createDatabase(cluster, work, db);
  // An md5 is 32 hex characters (16 bytes decoded): 64 MiB of text is 2Mi of them, 32 MiB of bytea 2Mi decoded.
  const md5s = (opts.valueMb * 2 ** 20) / 32;
  const elements = Math.round((opts.valueMb / 64) * 4_000_000);
  const tables = [
    { table: 'big_text', what: `text of ${opts.valueMb} MiB`, type: 'text', value: `SELECT string_agg(md5(g::text), '') FROM generate_series(1, ${md5s}) AS g` },
    { table: 'big_bytea', what: `bytea of ${opts.valueMb / 2} MiB`, type: 'bytea', value: `SELECT decode(string_agg(md5(g::text), ''), 'hex') FROM generate_series(1, ${md5s}) AS g` },
    { table: 'big_jsonb', what: `jsonb array of ${elements.toLocaleString('en-US')} elements`, type: 'jsonb', value: `SELECT jsonb_agg(g) FROM generate_series(1, ${elements}) AS g` },
  ];
  for (const t of tables) await cluster.query(`CREATE TABLE "public"."${t.table}" ("id" integer PRIMARY KEY, "v" ${t.type}); INSERT INTO "public"."${t.table}" VALUES (1, (${t.value}))`, undefined, db);
  await cluster.query('VACUUM ANALYZE', undefined, db);
  const sizes = await cluster.query<{ t: string; bytes: string }>(`SELECT relname AS t, pg_total_relation_size(oid) AS bytes FROM pg_class WHERE relname LIKE 'big\\_%' AND relkind = 'r'`, undefined, db);
  log(`${db}: ${sizes.map((s) => `${s.t} ${(Number(s.bytes) / 2 ** 20).toFixed(1)} MiB on disk`).join(', ')}`);
  const catalog = await discover(configPath, join(work, `${db}.discovered.json`), tables.length);
  const rows: Row[] = [];
  for (const t of tables) {
    const catalogPath = join(work, `${t.table}.catalog.json`);
    writeFileSync(catalogPath, JSON.stringify(selectStream(catalog, t.table, 'FULL_TABLE')));
    const m = await measure(t.table, opts.repeat, () => runPsql(cluster, db, ['-c', `\\copy (SELECT * FROM "public"."${t.table}") to '/dev/null'`]),
      () => runTap(['--config', configPath, '--catalog', catalogPath]), expectRows(1));
    const ratio = m.tap.bestMs / m.psql.bestMs;
    rows.push({ part: 'values', what: `large value: ${t.what}`, ...m, ratio, ratioKind: 'tap/psql time', target: 'tap/psql ≤ 8, RSS < 400 MB', met: ratio <= 8 && m.peakRssMb < 400 });
  }
  return rows;
}

/** The full-table bench's table (bench/full-table.ts does not export its SQL). */
function fullTableSql(rows: number): string {
  return `
    SELECT setseed(0.42);
    CREATE TABLE "public"."t_full" (
      id bigint PRIMARY KEY, n bigint, amount numeric(18,4), label text, ts timestamptz, flag boolean,
      d date, u uuid, f double precision, doc jsonb, arr int[]);
    INSERT INTO "public"."t_full"
    SELECT i, (i::bigint * 7919) % 1000003 - 500000, round((random() * 1e9)::numeric, 4), 'customer ' || md5(i::text),
           timestamptz '2020-01-01 00:00:00+00' + i * interval '1.234567 second', CASE WHEN i % 10 = 0 THEN NULL ELSE i % 3 = 0 END,
           date '2000-01-01' + (i % 10000), md5('u' || i)::uuid, random() * 1e6,
           jsonb_build_object('k', i % 100, 's', 'v' || (i % 7), 'ok', i % 2 = 0), ARRAY[i % 10, i % 100, i % 1000]
    FROM generate_series(1, ${rows}) AS i;`;
}

async function fullTablePart(cluster: Cluster, work: string, opts: Options): Promise<Row[]> {
  const db = 'scale_full_table';
  const configPath = await createDatabase(cluster, work, db);
  const rows: Row[] = [];
  const peaks: { rows: number; mb: number }[] = [];
  for (const count of opts.fullRows) {
    const t0 = Date.now();
    await cluster.query(`DROP TABLE IF EXISTS "public"."t_full"; ${fullTableSql(count)}`, undefined, db);
    await cluster.query('VACUUM ANALYZE', undefined, db);
    log(`${db}: t_full (${count} rows) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const catalogPath = join(work, `${db}.catalog.json`);
    writeFileSync(catalogPath, JSON.stringify(selectStream(await discover(configPath, join(work, `${db}.discovered.json`), 1), 't_full', 'FULL_TABLE')));
    const m = await measure(`full table ${count}`, opts.repeat, () => runPsql(cluster, db, ['-c', `\\copy (SELECT * FROM "public"."t_full") to '/dev/null'`]),
      () => runTap(['--config', configPath, '--catalog', catalogPath]), expectRows(count));
    // Same rows on both sides, so the rows/s ratio is the inverse of the time ratio.
    const ratio = m.psql.bestMs / m.tap.bestMs;
    const measured = count === 1_000_000;
    rows.push({ part: 'full-table', what: `FULL_TABLE, one stream of ${count.toLocaleString('en-US')} rows`, ...m, ratio, ratioKind: 'tap/psql rows/s', target: measured ? 'rows/s ratio ≥ 0.6' : '—', met: measured ? ratio >= 0.6 : null });
    peaks.push({ rows: count, mb: m.peakRssMb });
  }
  await cluster.query('DROP TABLE IF EXISTS "public"."t_full"', undefined, db);
  if (peaks.length > 1) {
    const first = peaks[0]!;
    const last = peaks[peaks.length - 1]!;
    const growth = last.mb / first.mb;
    log(`full table peak RSS: ${peaks.map((p) => `${p.rows.toLocaleString('en-US')} rows ${p.mb.toFixed(1)} MB`).join(', ')}`);
    rows.push({
      part: 'full-table', what: `FULL_TABLE peak RSS, ${first.rows.toLocaleString('en-US')} → ${last.rows.toLocaleString('en-US')} rows`,
      tap: { bestMs: 0, medianMs: 0, runsMs: [] }, psql: { bestMs: 0, medianMs: 0, runsMs: [] }, peakRssMb: last.mb,
      ratio: growth, ratioKind: `RSS ${first.mb.toFixed(0)} → ${last.mb.toFixed(0)} MB`, target: 'flat: ≤ 1.5× the smallest', met: growth <= 1.5,
    });
  }
  return rows;
}

function printTable(rows: Row[], repeat: number): void {
  const seconds = (t: Timing): string => (t.runsMs.length === 0 ? '—' : (t.bestMs / 1000).toFixed(2) + (repeat > 1 ? ` (median ${(t.medianMs / 1000).toFixed(2)})` : ''));
  const head = ['what', `tap s${repeat > 1 ? ' (best)' : ''}`, `psql s${repeat > 1 ? ' (best)' : ''}`, 'ratio', 'tap peak RSS MB', 'target', 'met?'];
  const cells = rows.map((r) => [r.what, seconds(r.tap), seconds(r.psql), `${r.ratio.toFixed(2)} (${r.ratioKind})`, r.peakRssMb.toFixed(1), r.target, r.met === null ? '—' : r.met ? 'yes' : 'no']);
  const line = (c: string[]): string => `| ${c.join(' | ')} |`;
  process.stdout.write(`${[line(head), line(head.map(() => '---')), ...cells.map(line)].join('\n')}\n`);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  await ensurePostgresInstalled();
  const work = mkdtempSync(join(tmpdir(), 'tap-bench-scale-'));
  const loadBefore = loadavg();
  let cluster: Cluster | null = null;
  try {
    log(`starting a throwaway PostgreSQL; parts ${opts.only.join(', ')}, ${opts.repeat} round(s) each`);
    cluster = await startCluster();
    const parts: Record<Part, (c: Cluster, w: string, o: Options) => Promise<Row[]>> = { discovery: discoveryPart, streams: streamsPart, values: valuesPart, 'full-table': fullTablePart };
    const rows: Row[] = [];
    // In the order PARTS gives, whatever order --only names them in, so runs stay comparable.
    for (const part of PARTS.filter((p) => opts.only.includes(p))) rows.push(...(await parts[part](cluster, work, opts)));
    printTable(rows, opts.repeat);
    const now = new Date();
    const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout?.trim() || null;
    // Whether the measured tap differs from that commit (uncommitted changes under src/).
    const srcChanged = commit === null ? null : spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim() !== '';
    const report = {
      bench: 'scale', date: now.toISOString(), commit, srcChanged, node: process.version, serverVersionNum: cluster.serverVersionNum,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, totalMemMb: Math.round(totalmem() / 2 ** 20), loadAverage1mBefore: loadBefore[0], loadAverage1mAfter: loadavg()[0] },
      options: opts, rssSource: existsSync(GNU_TIME) ? 'GNU time %M' : '/proc/<pid>/status VmHWM polled every 50 ms',
      notes: 'wall times of whole processes (start-up included), best = fastest round; psql as superuser and the tap as tapuser, both over the Unix socket; ratio is tap/psql time except full-table, where it is tap rows/s / psql rows/s; targets are reported, not asserted',
      results: rows,
    };
    log(`wrote ${writeBenchResult('scale', now, report)}`);
  } finally {
    await cluster?.stop().catch((err: Error) => log(`stopping the cluster failed: ${err.message}`));
    rmSync(work, { recursive: true, force: true });
  }
}

runBench(main);
