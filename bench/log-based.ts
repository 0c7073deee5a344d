// LOG_BASED throughput next to wal2json read in SQL, on the same changes in the same run (issue 7).
//
//   npm run bench:log-based                                  # 500,000 changes, 3 rounds
//   node dist/bench/log-based.js --changes 200000 --repeat 5
//   node dist/bench/log-based.js --transport unix,pgoutput   # tap readers (default unix,tcp,tls,pgoutput)
//   node dist/bench/log-based.js --cpu-prof /tmp/prof        # plus one profiled tap run (first transport), top functions printed
//
// A throwaway cluster; a table of mixed types (the full-table bench's columns), a wal2json slot,
// the tap's initial copy (empty table) for its STATE; then changes/2 inserts in one transaction
// and updates of the same rows in a second one. Each round:
//   (a) `SELECT count(*) FROM pg_logical_slot_peek_changes(slot, NULL, NULL, 'format-version', '2',
//       'include-transaction', 'true', 'include-timestamp', 'true', 'include-lsn', 'true')` as
//       superuser: decoding alone, nothing sent anywhere;
//   (a2) psql copying the same peeked documents to /dev/null: the changes read by a SQL client;
//   (b) a replication client in this process that only counts the changes over the Unix socket;
//   (b2) PostgreSQL's pg_recvlogical writing them to /dev/null, on a copy of the slot (it confirms
//       what it read): the streaming protocol's pace with a client that costs next to nothing;
//   (c) the tap from the post-copy STATE with stdout on /dev/null, once per transport: unix (socket
//       directory as host), tcp (127.0.0.1, sslmode disable), tls (sslmode require);
//   (d) the same changes through pgoutput: a second slot (pgoutput, made with the first, so it holds
//       the same changes) and a publication of the table, read by pg_recvlogical (proto_version 1)
//       and by the tap over the Unix socket (transport pgoutput).
// Nothing confirms past that STATE's lsn on the bench's slot, so it keeps the changes for the next
// reader. Best and median wall times become changes/s; the tap's peak RSS comes from GNU time
// (`/usr/bin/time -f %M`) or /proc polling. A table goes to stdout, the same numbers as JSON to
// bench/results/log-based-<date>.json.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, selectStream, type Catalog } from './bench-catalog.js';
import { runBench, writeBenchResult } from './bench-results.js';
import { countChangesRaw, recvlogicalMs } from './replication-baseline.js';
import { startCluster, type Cluster } from '../test/harness/cluster.js';
import { ensurePostgresInstalled } from '../test/harness/ensure-server.js';

/** This file runs from dist/bench, two levels below the repository root. */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tapBin = join(repoRoot, 'bin', 'tap-postgres.js');
const GNU_TIME = '/usr/bin/time';
const DB = 'bench';
const SLOT = `stitch_${DB}`;
const TABLE = 'changes';
const PEEK_CHANGES = `pg_logical_slot_peek_changes('${SLOT}', NULL, NULL, 'format-version', '2', 'include-transaction', 'true', 'include-timestamp', 'true', 'include-lsn', 'true')`;
const PEEK_SQL = `SELECT count(*) AS n FROM ${PEEK_CHANGES}`;
/** The same changes read by a SQL client: psql copies every document to /dev/null. */
const PEEK_PSQL = `\\copy (SELECT data FROM ${PEEK_CHANGES}) to '/dev/null'`;

const PGO_SLOT = 'pgo_bench';
const TRANSPORTS = ['unix', 'tcp', 'tls', 'pgoutput'] as const;
type Transport = (typeof TRANSPORTS)[number];
interface Options { changes: number; repeat: number; cpuProf: string | null; transports: Transport[] }
interface TapRun { ms: number; streamMs: number; changes: number; peakRssKb: number }
interface Stats { runsMs: number[]; bestChangesPerSecond: number; medianChangesPerSecond: number }

function parseArgs(argv: string[]): Options {
  const options: Options = { changes: 500_000, repeat: 3, cpuProf: null, transports: [...TRANSPORTS] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 2) throw new Error(`${a} needs an integer of at least 2`);
      return v;
    };
    if (a === '--changes') options.changes = next();
    else if (a === '--repeat') options.repeat = next();
    else if (a === '--cpu-prof') options.cpuProf = argv[++i] ?? '';
    else if (a === '--transport') {
      const list = (argv[++i] ?? '').split(',');
      if (list.length === 0 || !list.every((t): t is Transport => (TRANSPORTS as readonly string[]).includes(t))) throw new Error(`--transport takes a comma-separated list of ${TRANSPORTS.join(', ')}`);
      options.transports = list;
    } else throw new Error(`unknown argument ${a} (use --changes N, --repeat N, --transport unix,tcp,tls,pgoutput, --cpu-prof DIR)`);
  }
  if (options.changes % 2 !== 0) throw new Error('--changes must be even (half inserts, half updates)');
  if (options.cpuProf === '') throw new Error('--cpu-prof needs a directory');
  return options;
}

const log = (msg: string): void => { process.stderr.write(`bench: ${msg}\n`); };
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const perSecond = (n: number, ms: number): number => Math.round((n * 1000) / ms);
const stats = (n: number, runsMs: number[]): Stats => ({
  runsMs: runsMs.map(Math.round), bestChangesPerSecond: perSecond(n, Math.min(...runsMs)), medianChangesPerSecond: perSecond(n, median(runsMs)),
});

const COLUMNS = 'n, amount, label, ts, flag, d, u, f, doc, arr';
function values(column: string, salt: number): string {
  const i = `${column}::bigint`;
  return `(${i} * 7919 + ${salt}) % 1000003 - 500000,
    round(((${i} * 48271 + ${salt}) % 1000000007)::numeric / 1000, 4),
    'customer ' || md5((${i} + ${salt})::text),
    timestamptz '2020-01-01 00:00:00+00' + (${i} + ${salt}) * interval '1.234567 second',
    CASE WHEN ${i} % 10 = 0 THEN NULL ELSE (${i} + ${salt}) % 3 = 0 END,
    date '2000-01-01' + ((${i} + ${salt}) % 10000)::integer,
    md5('u' || (${i} + ${salt}))::uuid,
    (${i} + ${salt}) / 7.0::float8,
    jsonb_build_object('k', ${i} % 100, 's', 'v' || ((${i} + ${salt}) % 7), 'ok', ${i} % 2 = 0),
    ARRAY[${i} % 10, ${i} % 100, (${i} + ${salt}) % 1000]::int[]`;
}

/** Runs the tap with stdout on /dev/null; returns wall time, its own stream time and change count, and peak RSS. */
function runTap(args: string[], expected: number, nodeFlags: string[] = []): Promise<TapRun> {
  const useTime = existsSync(GNU_TIME);
  const node = [process.execPath, ...nodeFlags, tapBin, ...args];
  const [cmd, argv] = useTime ? [GNU_TIME, ['-f', '%M', ...node]] : [node[0]!, node.slice(1)];
  return new Promise((resolve, reject) => {
    const devNull = openSync('/dev/null', 'w');
    const started = process.hrtime.bigint();
    const child = spawn(cmd, argv, { cwd: repoRoot, env: childEnv(), stdio: ['ignore', devNull, 'pipe'] });
    closeSync(devNull);
    let stderr = '';
    let polledKb = 0;
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const poll = useTime ? null : setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) polledKb = Math.max(polledKb, Number(m[1]));
      } catch { /* exited between ticks */ }
    }, 50);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (poll) clearInterval(poll);
      if (code !== 0) return reject(new Error(`tap failed (${signal ?? `exit ${code}`}):\n${stderr.slice(-3000)}`));
      const lines = stderr.split('\n').filter((l) => l.trim() !== '');
      const peakRssKb = useTime ? Number(lines.pop()) : polledKb;
      const end = lines.map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return null; } })
        .find((o) => o !== null && typeof o.changes === 'number' && typeof o.ms === 'number' && o.component === 'sync');
      if (!end) return reject(new Error(`no "log-based streams of" line in the tap's log:\n${stderr.slice(-2000)}`));
      if (end.changes !== expected) return reject(new Error(`tap read ${String(end.changes)} changes, expected ${expected}:\n${stderr.slice(-2000)}`));
      resolve({ ms, streamMs: end.ms as number, changes: end.changes as number, peakRssKb });
    });
  });
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }
interface ProfileEntry { function: string; ms: number; percent: number }

/**
 * Self time (the function's own code, V8 builtins such as JSON.parse included) and total time
 * (with everything it calls) per function of a .cpuprofile, largest first.
 */
function profileSummary(file: string, count: number): { self: ProfileEntry[]; total: ProfileEntry[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const name = (node: ProfileNode): string => {
    const frame = node.callFrame;
    const url = frame.url.replace(/^file:\/\//, '').replace(repoRoot, '').replace(/^.*node_modules\//, 'node_modules/');
    return `${frame.functionName || '(anonymous)'} ${url ? `${url}:${frame.lineNumber + 1}` : ''}`.trim();
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    all += ms;
    self.set(name(byId.get(id)!), (self.get(name(byId.get(id)!)) ?? 0) + ms);
    const onStack = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) onStack.add(name(byId.get(node)!));
    for (const key of onStack) total.set(key, (total.get(key) ?? 0) + ms);
  });
  const top = (map: Map<string, number>): ProfileEntry[] => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, count)
    .map(([fn, ms]) => ({ function: fn, ms: Math.round(ms), percent: Math.round((ms / all) * 1000) / 10 }));
  return { self: top(self), total: top(total) };
}

interface TransportResult extends Stats { peakRssMb: number; stream: Stats; ratioToPeek: number; ratioToPeekMedian: number }

function printTable(changes: number, peek: Stats, tap: Partial<Record<Transport, TransportResult>>, baseline: Stats, recvlogical: Stats, peekRead: Stats, recvPgoutput: Stats): void {
  const head = ['changes', 'reader', 'changes/s', 'vs peek', 'median changes/s', 'vs peek (median)', 'stream-only changes/s', 'peak RSS MB'];
  const rows: (string | number)[][] = [
    [changes, 'SQL peek_changes', peek.bestChangesPerSecond, '1.00', peek.medianChangesPerSecond, '1.00', '', ''],
    [changes, 'psql reading peek_changes', peekRead.bestChangesPerSecond, (peekRead.bestChangesPerSecond / peek.bestChangesPerSecond).toFixed(2), peekRead.medianChangesPerSecond, (peekRead.medianChangesPerSecond / peek.medianChangesPerSecond).toFixed(2), '', ''],
    [changes, 'no-op client over unix', '', '', '', '', baseline.bestChangesPerSecond, ''],
    [changes, 'pg_recvlogical over unix', recvlogical.bestChangesPerSecond, (recvlogical.bestChangesPerSecond / peek.bestChangesPerSecond).toFixed(2), recvlogical.medianChangesPerSecond, (recvlogical.medianChangesPerSecond / peek.medianChangesPerSecond).toFixed(2), '', ''],
    [changes, 'pg_recvlogical pgoutput over unix', recvPgoutput.bestChangesPerSecond, (recvPgoutput.bestChangesPerSecond / peek.bestChangesPerSecond).toFixed(2), recvPgoutput.medianChangesPerSecond, (recvPgoutput.medianChangesPerSecond / peek.medianChangesPerSecond).toFixed(2), '', ''],
  ];
  for (const [transport, r] of Object.entries(tap)) {
    rows.push([changes, `tap over ${transport}`, r.bestChangesPerSecond, r.ratioToPeek.toFixed(2), r.medianChangesPerSecond, r.ratioToPeekMedian.toFixed(2), r.stream.bestChangesPerSecond, r.peakRssMb.toFixed(1)]);
  }
  const cells = rows.map((row) => row.map((v) => (typeof v === 'number' ? v.toLocaleString('en-US') : v)));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((c, i) => c.padStart(widths[i]!)).join('  ');
  process.stdout.write(`${[line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n`);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  await ensurePostgresInstalled();
  const work = mkdtempSync(join(tmpdir(), 'tap-bench-'));
  const loadBefore = loadavg();
  let cluster: Cluster | null = null;
  try {
    log(`starting a throwaway PostgreSQL; ${opts.changes} changes, ${opts.repeat} rounds`);
    cluster = await startCluster();
    await cluster.query(`CREATE DATABASE ${DB}`);
    await cluster.query(`
      CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, n bigint, amount numeric(18,4), label text, ts timestamptz, flag boolean,
        d date, u uuid, f double precision, doc jsonb, arr int[]);
      GRANT SELECT ON ${TABLE} TO tapuser;`, undefined, DB);
    await cluster.query(`SELECT pg_create_logical_replication_slot('${SLOT}', 'wal2json')`, undefined, DB);
    await cluster.query(`CREATE PUBLICATION ${PGO_SLOT} FOR TABLE ${TABLE}`, undefined, DB);
    await cluster.query(`SELECT pg_create_logical_replication_slot('${PGO_SLOT}', 'pgoutput')`, undefined, DB);

    // Discovery and the initial copy go over TCP; each transport then gets its own config.
    const base = { user: 'tapuser', password: 'tappass', dbname: DB, filter_dbs: DB, break_at_end_lsn: true, logical_poll_total_seconds: 120 };
    const transportConfig: Record<Transport, Record<string, unknown>> = {
      unix: { ...base, host: cluster.socketDir, port: cluster.port },
      tcp: { ...base, host: cluster.host, port: cluster.port, sslmode: 'disable' },
      tls: { ...base, host: cluster.host, port: cluster.port, sslmode: 'require' },
      pgoutput: { ...base, host: cluster.socketDir, port: cluster.port, slot_name: PGO_SLOT },
    };
    const configPath = (transport: Transport): string => join(work, `config-${transport}.json`);
    for (const transport of TRANSPORTS) writeFileSync(configPath(transport), JSON.stringify(transportConfig[transport]));
    const catalogPath = join(work, 'catalog.json');
    const statePath = join(work, 'state.json');
    const discovered = spawnSync(process.execPath, [tapBin, '--config', configPath('tcp'), '--discover'], { cwd: repoRoot, env: childEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
    if (discovered.status !== 0) throw new Error(`discovery failed:\n${discovered.stderr}`);
    writeFileSync(catalogPath, JSON.stringify(selectStream(JSON.parse(discovered.stdout) as Catalog, TABLE, 'LOG_BASED')));
    const copy = spawnSync(process.execPath, [tapBin, '--config', configPath('tcp'), '--catalog', catalogPath], { cwd: repoRoot, env: childEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
    if (copy.status !== 0) throw new Error(`initial copy failed:\n${copy.stderr}`);
    const lastState = copy.stdout.split('\n').filter((l) => l.startsWith('{"type":"STATE"')).pop();
    if (lastState === undefined) throw new Error('the initial copy printed no STATE');
    writeFileSync(statePath, JSON.stringify((JSON.parse(lastState) as { value: unknown }).value));
    log(`initial copy done; state ${JSON.stringify((JSON.parse(lastState) as { value: unknown }).value)}`);

    const rows = opts.changes / 2;
    let t0 = Date.now();
    await cluster.query(`BEGIN; SET LOCAL synchronous_commit = on; INSERT INTO ${TABLE} (id, ${COLUMNS}) SELECT i, ${values('i', 0)} FROM generate_series(1, ${rows}) AS i; COMMIT;`, undefined, DB);
    log(`inserted ${rows} rows in one transaction in ${Date.now() - t0} ms`);
    t0 = Date.now();
    await cluster.query(`BEGIN; SET LOCAL synchronous_commit = on; UPDATE ${TABLE} SET (${COLUMNS}) = (SELECT ${values('id', 1)}); COMMIT;`, undefined, DB);
    log(`updated them in one transaction in ${Date.now() - t0} ms`);
    // Both transactions must be flushed and decodable before the first timed read.
    await cluster.query(`SELECT count(*) FROM pg_logical_slot_peek_changes('${SLOT}', NULL, NULL, 'format-version', '2')`, undefined, DB);

    const tapArgs = (transport: Transport): string[] => ['--config', configPath(transport), '--catalog', catalogPath, '--state', statePath];
    const peekMs: number[] = [];
    const psqlPeekMs: number[] = [];
    const tapRuns = new Map<Transport, TapRun[]>(opts.transports.map((t) => [t, []]));
    const baselineMs: number[] = [];
    const recvlogicalRuns: number[] = [];
    const recvPgoutputRuns: number[] = [];
    const [{ lsn: endLsn }] = (await cluster.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')) as [{ lsn: string }];
    const COPY_SLOT = 'bench_recvlogical';
    const baselineTarget = {
      host: cluster.socketDir, port: cluster.port, user: 'tapuser', password: 'tappass', database: DB, slot: SLOT,
      options: { 'format-version': '2', 'include-transaction': 'true', 'include-timestamp': 'true', 'include-lsn': 'true', 'include-types': 'false', 'add-tables': `public.${TABLE}` },
    };
    // A walsender outlives its client until it next looks at the socket: the next reader waits for the slot.
    const server = cluster;
    const slotReleased = async (): Promise<void> => {
      for (let i = 0; ; i++) {
        const [slot] = await server.query<{ active: boolean }>('SELECT bool_or(active) AS active FROM pg_replication_slots', [], DB);
        if (slot?.active !== true) return;
        if (i >= 300) throw new Error(`slot ${SLOT} still active after 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const psqlPeek = (): number => {
      const started = process.hrtime.bigint();
      const run = spawnSync(join(server.binDir, 'psql'), ['-h', server.socketDir, '-p', String(server.port), '-U', server.superuser, '-d', DB, '-qAt', '-c', PEEK_PSQL], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: server.superuserPassword } });
      if (run.status !== 0) throw new Error(`psql peek failed: ${run.stderr}`);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    for (let round = 1; round <= opts.repeat; round++) {
      await slotReleased();
      const started = process.hrtime.bigint();
      const [peeked] = await cluster.query<{ n: string }>(PEEK_SQL, undefined, DB);
      peekMs.push(Number(process.hrtime.bigint() - started) / 1e6);
      // B and C of the two transactions come with the changes, and of any other transaction since (autovacuum's).
      if (Number(peeked!.n) < opts.changes + 4) throw new Error(`peek returned ${peeked!.n} rows, expected at least ${opts.changes + 4}`);
      psqlPeekMs.push(psqlPeek());
      const times: string[] = [];
      for (const transport of opts.transports) {
        await slotReleased();
        const t = await runTap(tapArgs(transport), opts.changes);
        tapRuns.get(transport)!.push(t);
        times.push(`${transport} ${t.ms.toFixed(0)} ms (stream ${t.streamMs} ms, ${(t.peakRssKb / 1024).toFixed(1)} MB)`);
      }
      await slotReleased();
      baselineMs.push(await countChangesRaw(baselineTarget, opts.changes));
      await cluster.query(`SELECT pg_copy_logical_replication_slot('${SLOT}', '${COPY_SLOT}')`, undefined, DB);
      recvlogicalRuns.push(recvlogicalMs(cluster.binDir, baselineTarget, endLsn, COPY_SLOT));
      await cluster.query(`SELECT pg_drop_replication_slot('${COPY_SLOT}')`, undefined, DB);
      await slotReleased();
      await cluster.query(`SELECT pg_copy_logical_replication_slot('${PGO_SLOT}', '${COPY_SLOT}')`, undefined, DB);
      recvPgoutputRuns.push(recvlogicalMs(cluster.binDir, { ...baselineTarget, slot: PGO_SLOT, options: { proto_version: '1', publication_names: PGO_SLOT } }, endLsn, COPY_SLOT));
      await cluster.query(`SELECT pg_drop_replication_slot('${COPY_SLOT}')`, undefined, DB);
      log(`round ${round}: peek ${peekMs.at(-1)!.toFixed(0)} ms; psql reading peek ${psqlPeekMs.at(-1)!.toFixed(0)} ms; no-op client over unix ${baselineMs.at(-1)!.toFixed(0)} ms; pg_recvlogical over unix ${recvlogicalRuns.at(-1)!.toFixed(0)} ms (pgoutput ${recvPgoutputRuns.at(-1)!.toFixed(0)} ms); tap ${times.join('; ')}`);
    }

    let profile: { file: string; ms: number; transport: Transport; summary: ReturnType<typeof profileSummary> } | null = null;
    if (opts.cpuProf !== null) {
      mkdirSync(opts.cpuProf, { recursive: true });
      const before = new Set(readdirSync(opts.cpuProf));
      const transport = opts.transports[0]!;
      await slotReleased();
      const run = await runTap(tapArgs(transport), opts.changes, ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProf}`]);
      const file = readdirSync(opts.cpuProf).find((f) => f.endsWith('.cpuprofile') && !before.has(f));
      if (file === undefined) throw new Error(`no .cpuprofile written to ${opts.cpuProf}`);
      profile = { file: join(opts.cpuProf, file), ms: Math.round(run.ms), transport, summary: profileSummary(join(opts.cpuProf, file), 30) };
      log(`profiled run (${transport}): ${run.ms.toFixed(0)} ms; ${profile.file}`);
      for (const [kind, entries] of [['self', profile.summary.self], ['total (with callees)', profile.summary.total]] as const) {
        log(`${kind} time by function:`);
        for (const f of entries) log(`  ${String(f.percent).padStart(5)}%  ${String(f.ms).padStart(6)} ms  ${f.function}`);
      }
    }

    const peek = stats(opts.changes, peekMs);
    const tap = Object.fromEntries(opts.transports.map((transport) => {
      const runs = tapRuns.get(transport)!;
      const whole = stats(opts.changes, runs.map((r) => r.ms));
      return [transport, {
        ...whole,
        peakRssMb: Math.max(...runs.map((r) => r.peakRssKb)) / 1024,
        stream: stats(opts.changes, runs.map((r) => r.streamMs)),
        ratioToPeek: whole.bestChangesPerSecond / peek.bestChangesPerSecond,
        ratioToPeekMedian: whole.medianChangesPerSecond / peek.medianChangesPerSecond,
      }];
    })) as Partial<Record<Transport, TransportResult>>;
    const baseline = stats(opts.changes, baselineMs);
    const recvlogical = stats(opts.changes, recvlogicalRuns);
    const recvPgoutput = stats(opts.changes, recvPgoutputRuns);
    const peekRead = stats(opts.changes, psqlPeekMs);
    printTable(opts.changes, peek, tap, baseline, recvlogical, peekRead, recvPgoutput);
    const now = new Date();
    const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout?.trim() || null;
    // Whether the measured tap differs from that commit (uncommitted changes under src/).
    const srcChanged = commit === null ? null : spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim() !== '';
    // wal2json is a plugin, not an extension: the server cannot say its version; a Debian package can.
    const major = Math.floor(cluster.serverVersionNum / 10000);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    const wal2json = spawnSync('dpkg-query', ['-W', '-f=${Version}', `postgresql-${major}-wal2json`], { encoding: 'utf8' });
    const report = {
      bench: 'log-based', date: now.toISOString(), commit, srcChanged, node: process.version, serverVersionNum: cluster.serverVersionNum,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, totalMemMb: Math.round(totalmem() / 2 ** 20), loadAverage1mBefore: loadBefore[0], loadAverage1mAfter: loadavg()[0] },
      wal2json: wal2json.status === 0 ? `postgresql-${major}-wal2json ${wal2json.stdout.trim()}` : null,
      changes: opts.changes, transactions: 2, repeat: opts.repeat,
      rssSource: existsSync(GNU_TIME) ? 'GNU time %M' : '/proc/<pid>/status VmHWM polled every 50 ms',
      peekSql: PEEK_SQL,
      peekPsql: PEEK_PSQL,
      notes: 'peek: SQL count(*) over pg_logical_slot_peek_changes as superuser (server-side decoding, nothing sent to the client). tap: wall time of the CLI from the post-copy STATE with stdout on /dev/null, including process start and the reconnect when wal2json rejects numeric-data-types-as-string (before 2.6), per transport: unix = Unix socket (the tap on the database host), tcp = TCP on 127.0.0.1 without TLS, tls = TCP with sslmode require, pgoutput = Unix socket through the pgoutput slot. stream: the tap\'s own "log-based streams" ms. best = fastest round; ratio = tap changes/s / peek changes/s.',
      peek,
      noopClientUnix: { ...baseline, ratioToPeek: baseline.bestChangesPerSecond / peek.bestChangesPerSecond, note: 'a replication client in the bench process that only counts the changes (no Node start-up): the walsender\'s own pace, to compare with the tap\'s stream-only rate' },
      psqlReadingPeek: { ...peekRead, ratioToPeek: peekRead.bestChangesPerSecond / peek.bestChangesPerSecond, note: 'psql over the Unix socket copying every peeked document to /dev/null: the same changes read by a SQL client, not only decoded' },
      pgRecvlogicalUnix: { ...recvlogical, ratioToPeek: recvlogical.bestChangesPerSecond / peek.bestChangesPerSecond, ratioToPeekMedian: recvlogical.medianChangesPerSecond / peek.medianChangesPerSecond, note: 'PostgreSQL\'s own C client (pg_recvlogical to /dev/null, same wal2json options, up to the WAL end after the two transactions) on a copy of the slot: the streaming protocol\'s pace with a client that costs almost nothing' },
      pgRecvlogicalPgoutputUnix: { ...recvPgoutput, ratioToPeek: recvPgoutput.bestChangesPerSecond / peek.bestChangesPerSecond, ratioToPeekMedian: recvPgoutput.medianChangesPerSecond / peek.medianChangesPerSecond, note: 'pg_recvlogical reading the same changes from a pgoutput slot (proto_version 1, a publication of the table) to /dev/null' },
      tap,
      ...(profile ? { profile: { transport: profile.transport, runMs: profile.ms, self: profile.summary.self, total: profile.summary.total } } : {}),
    };
    log(`wrote ${writeBenchResult('log-based', now, report)}`);
  } finally {
    await cluster?.stop().catch((err: Error) => log(`stopping the cluster failed: ${err.message}`));
    rmSync(work, { recursive: true, force: true });
  }
}

runBench(main);
