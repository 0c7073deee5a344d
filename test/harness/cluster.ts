// Throwaway PostgreSQL clusters for tests: own data dir, own port, own certificates.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findPgBinDir, hasWal2json } from './pg-binaries.js';

export interface ClusterOptions {
  /** Overrides wal_level (e.g. 'replica' to test the tap's error for a non-logical server). */
  walLevel?: string;
  /** false skips whitelisting wal2json in output_plugin_libraries, for missing-plugin tests. */
  allowWal2json?: boolean;
  /** Extra postgresql.conf settings, written last so they win. Values are quoted for you. */
  settings?: Record<string, string>;
  /** pg_hba.conf lines placed before the harness's own rules (first match wins). */
  hbaRules?: string[];
  binDir?: string;
}

export interface Cluster {
  host: string; port: number; superuser: string; superuserPassword: string; dataDir: string;
  binDir: string; certsDir: string; socketDir: string; serverVersionNum: number;
  url(database?: string, user?: string, password?: string): string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<T[]>;
  /** pg_ctl restart; 'immediate' is a crash (recovery at start), 'fast' a clean shutdown. */
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  stop(): Promise<void>;
}

interface RunAs { uid: number; gid: number }

const LOCALE_ENV = { LC_ALL: 'C', LANG: 'C' };
const KNOWN_PASSWORDS: Record<string, string> = { tapuser: 'tappass', tap_ssl: 'tappass' };

/** PostgreSQL refuses to run as root, so under root every server command runs as `postgres`. */
function serverUser(): RunAs | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (spawnSync('id', ['-u', 'postgres']).status !== 0) {
    const r = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/bin/bash', 'postgres'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`useradd postgres failed: ${r.stderr}`);
  }
  return { uid: id('-u'), gid: id('-g') };
}

function command(runAs: RunAs | null, file: string, args: string[]): [string, string[]] {
  return runAs ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

function runSync(file: string, args: string[], cwd: string, runAs: RunAs | null = null): SpawnSyncReturns<string> {
  const [cmd, argv] = command(runAs, file, args);
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', env: { ...process.env, ...LOCALE_ENV } });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  return r;
}

/** Async so a slow server start does not freeze other concurrently running test files' timers. */
function runAsync(file: string, args: string[], cwd: string, runAs: RunAs | null): Promise<string> {
  const [cmd, argv] = command(runAs, file, args);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...LOCALE_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    // setEncoding: a chunk may end inside a multi-byte character.
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} ${args.join(' ')} failed (exit ${code}):\n${out}`))));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** EC keys: RSA generation would add seconds per cluster and nothing the tests look at. */
function makeCerts(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  runSync('openssl', ['req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650',
    '-subj', '/CN=tap-postgres test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  const leaves: Array<[string, string, string, string]> = [
    ['server', 'localhost', 'DNS:localhost,IP:127.0.0.1', 'serverAuth'],
    ['wronghost', 'wrong.example.com', 'DNS:wrong.example.com', 'serverAuth'],
    ['client', 'tap_cert', '', 'clientAuth'],
  ];
  leaves.forEach(([name, cn, san, usage], i) => {
    const ext = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${usage}`, ...(san ? [`subjectAltName=${san}`] : [])];
    writeFileSync(join(dir, `${name}.ext`), ext.join('\n') + '\n');
    runSync('openssl', ['req', '-new', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
    runSync('openssl', ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key',
      '-set_serial', String(1000 + i), '-days', '3650', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
  });
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.key')) chmodSync(join(dir, f), 0o600);
    if (f.endsWith('.csr') || f.endsWith('.ext')) rmSync(join(dir, f));
  }
}

/** postgresql.conf accepts any value single-quoted, so quoting everything avoids per-type rules. */
function confValue(v: string): string {
  return /^'.*'$/s.test(v) ? v : `'${v.replace(/'/g, "''")}'`;
}

function chownTree(path: string, runAs: RunAs): void {
  chownSync(path, runAs.uid, runAs.gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) chownTree(p, runAs);
    else chownSync(p, runAs.uid, runAs.gid);
  }
}

function tailLog(file: string, lines = 30): string {
  if (!existsSync(file)) return '(no server.log)';
  return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
}

// Every live cluster, so a dying test process never leaves a postmaster holding a port.
const live = new Set<() => void>();
let signalsHooked = false;
function hookProcessExit(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  process.on('exit', () => { for (const kill of live) kill(); });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const kill of live) kill();
      live.clear();
      // Re-raise for the default action only if nobody else (e.g. the test runner) handles it.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const binDir = options.binDir ?? findPgBinDir();
  if (!binDir) throw new Error('No PostgreSQL binaries found: set PG_BIN or install postgresql-15');
  const runAs = serverUser();
  const root = mkdtempSync(join(tmpdir(), 'tap-pg-'));
  const dataDir = join(root, 'data');
  const certsDir = join(root, 'certs');
  const logFile = join(dataDir, 'server.log');
  const password = randomBytes(12).toString('hex');
  const pgCtl = join(binDir, 'pg_ctl');
  let stopped = false;
  const removeRoot = (): void => {
    if (process.env.KEEP_TEST_CLUSTER === '1') process.stderr.write(`tap-postgres tests: kept cluster files in ${root}\n`);
    else rmSync(root, { recursive: true, force: true });
  };
  const emergencyStop = (): void => {
    if (stopped) return;
    stopped = true;
    const [cmd, argv] = command(runAs, pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    spawnSync(cmd, argv, { cwd: root, stdio: 'ignore' });
    removeRoot();
  };
  hookProcessExit();
  live.add(emergencyStop);

  try {
    makeCerts(certsDir);
    const pwFile = join(root, 'pwfile');
    writeFileSync(pwFile, password + '\n', { mode: 0o600 });
    if (runAs) chownTree(root, runAs);
    runSync(join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', `--pwfile=${pwFile}`, '-E', 'UTF8',
      '--locale=C', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync'], root, runAs);
    rmSync(pwFile);

    const port = await freePort();
    // WAL a slot still needs was seen removed under heavy concurrent load ("requested WAL segment
    // … has already been removed" on a slot made minutes earlier, 12 to 15): a server-side race
    // the tap cannot cause or prevent. Test clusters keep 1 GB of WAL regardless of slots so it
    // cannot strike a test; a test of slot invalidation sets it back to 0.
    const major = Number(readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim());
    const keepWal: Record<string, string> = major >= 13 ? { wal_keep_size: '1GB' } : { wal_keep_segments: '64' };
    const conf: Record<string, string> = {
      ...keepWal,
      listen_addresses: '127.0.0.1', port: String(port), unix_socket_directories: root,
      wal_level: options.walLevel ?? 'logical', max_replication_slots: '20', max_wal_senders: '20',
      fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', shared_buffers: '64MB',
      max_connections: '200', ssl: 'on', ssl_cert_file: join(certsDir, 'server.crt'),
      ssl_key_file: join(certsDir, 'server.key'), ssl_ca_file: join(certsDir, 'ca.crt'),
      ...options.settings,
      // For diagnosis: extra server settings for every cluster the tests start, e.g. '{"log_min_messages":"debug1"}'.
      ...(process.env.TAP_POSTGRES_TEST_PG_SETTINGS ? JSON.parse(process.env.TAP_POSTGRES_TEST_PG_SETTINGS) as Record<string, string> : {}),
    };
    appendFileSync(join(dataDir, 'postgresql.conf'),
      '\n# tap-postgres test harness\n' + Object.entries(conf).map(([k, v]) => `${k} = ${confValue(v)}`).join('\n') + '\n');
    const hba = [
      ...(options.hbaRules ?? []),
      'local all all trust',
      'hostssl all tap_ssl 127.0.0.1/32 scram-sha-256',
      'hostnossl all tap_ssl 127.0.0.1/32 reject',
      'hostssl all tap_cert 127.0.0.1/32 cert',
      'host replication all 127.0.0.1/32 scram-sha-256',
      'host all all 127.0.0.1/32 scram-sha-256',
    ];
    writeFileSync(join(dataDir, 'pg_hba.conf'), hba.join('\n') + '\n');
    if (runAs) chownTree(root, runAs);

    const ctl = async (args: string[]): Promise<void> => {
      try {
        await runAsync(pgCtl, ['-w', '-D', dataDir, '-l', logFile, ...args], root, runAs);
      } catch (err) {
        throw new Error(`pg_ctl ${args.join(' ')} failed: ${(err as Error).message}\n--- server.log (tail) ---\n${tailLog(logFile)}`);
      }
    };
    await ctl(['start']);

    const connect = async (database = 'postgres'): Promise<pg.Client> => {
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database });
      client.on('error', () => { /* server restarts in tests end sessions; callers see the failed query */ });
      await client.connect();
      return client;
    };
    const query = async <T = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<T[]> => {
      const client = await connect(database);
      try {
        return (await client.query(sql, params)).rows as T[];
      } finally {
        await client.end();
      }
    };

    // The setting only exists on newer minor releases, and older ones refuse unknown names at
    // start, so it is set through ALTER SYSTEM only after asking the running server. It is a list
    // GUC: one quoted string would become a single element '"pgoutput, test_decoding, wal2json"'
    // and allow nothing, so the names go unquoted. It binds superusers too, not only REPLICATION users.
    const allowWal2json = options.allowWal2json ?? true;
    const opl = await query("SELECT 1 FROM pg_settings WHERE name = 'output_plugin_libraries'");
    if (opl.length > 0 && allowWal2json) {
      await query('ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, wal2json');
      await query('SELECT pg_reload_conf()');
      // Reload is a signal, not a barrier: wait until a fresh session sees the new value.
      for (let i = 0; ; i++) {
        const [row] = await query<{ v: string }>("SELECT current_setting('output_plugin_libraries') AS v");
        if (row!.v.includes('wal2json')) break;
        if (i >= 100) throw new Error(`output_plugin_libraries did not take effect: ${row!.v}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    // Servers without wal2json (the embedded builds of the version matrix) are read through pgoutput.
    if (conf.wal_level === 'logical' && allowWal2json && hasWal2json(binDir)) {
      const client = await connect();
      try {
        await client.query("SELECT pg_create_logical_replication_slot('harness_probe', 'wal2json', true)");
        await client.query("SELECT pg_drop_replication_slot('harness_probe')");
      } catch (err) {
        throw new Error(`wal2json does not load on this server: ${(err as Error).message}`);
      } finally {
        await client.end();
      }
    }
    await query("CREATE ROLE tapuser LOGIN PASSWORD 'tappass' REPLICATION");
    await query("CREATE ROLE tap_ssl LOGIN PASSWORD 'tappass'");
    await query('CREATE ROLE tap_cert LOGIN');
    const [ver] = await query<{ server_version_num: string }>('SHOW server_version_num');

    return {
      host: '127.0.0.1', port, superuser: 'postgres', superuserPassword: password, dataDir, binDir,
      certsDir, socketDir: root, serverVersionNum: Number(ver!.server_version_num),
      url(database = 'postgres', user = 'postgres', pw?: string): string {
        const secret = pw ?? (user === 'postgres' ? password : KNOWN_PASSWORDS[user] ?? '');
        const auth = encodeURIComponent(user) + (secret ? `:${encodeURIComponent(secret)}` : '');
        return `postgres://${auth}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
      },
      query,
      restart: (mode = 'fast') => ctl(['-m', mode, 'restart']),
      async stop(): Promise<void> {
        if (stopped) return;
        stopped = true;
        live.delete(emergencyStop);
        try {
          await ctl(['-m', 'fast', 'stop']);
        } finally {
          removeRoot();
        }
      },
    };
  } catch (err) {
    live.delete(emergencyStop);
    emergencyStop();
    throw err;
  }
}
