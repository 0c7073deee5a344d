// One database per test file, on the suite's server (TAP_POSTGRES_TEST_URL) or a private cluster.
import pg from 'pg';
import { startCluster, type Cluster } from './cluster.js';
import { ensurePostgresInstalled } from './ensure-server.js';

export interface TestDatabase {
  name: string;
  host: string;
  port: number;
  /** Superuser URL pointing at this database. */
  superUrl: string;
  /** Directory with ca.crt, server/wronghost/client certs, when the harness made them. */
  certsDir: string | null;
  /** The server's Unix-socket directory, when the harness started the server. */
  socketDir: string | null;
  tapConfig(overrides?: Record<string, unknown>): Record<string, unknown>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** The database of a test file; the pgoutput run of a file (TAP_TEST_PLUGIN) gets its own. */
export function testDatabaseName(name: string): string {
  const plugin = process.env.TAP_TEST_PLUGIN === 'pgoutput' ? '_pgo' : '';
  return ('t_' + name.toLowerCase().replace(/[^a-z0-9_]/g, '_')).slice(0, 60 - plugin.length) + plugin;
}

interface Server { url: URL; certsDir: string | null; socketDir: string | null }
let server: Promise<Server> | null = null;

/** Started once per process; a file run alone with `node --test` still works without the runner. */
function testServer(): Promise<Server> {
  server ??= (async (): Promise<Server> => {
    const external = process.env.TAP_POSTGRES_TEST_URL;
    if (external) return { url: new URL(external), certsDir: process.env.TAP_POSTGRES_TEST_CERTS || null, socketDir: process.env.TAP_POSTGRES_TEST_SOCKET_DIR || null };
    await ensurePostgresInstalled();
    const cluster: Cluster = await startCluster();
    // Graceful stop once the file's work is done; cluster.ts's exit hook covers abrupt endings.
    process.once('beforeExit', () => { void cluster.stop(); });
    return { url: new URL(cluster.url()), certsDir: cluster.certsDir, socketDir: cluster.socketDir };
  })();
  return server;
}

let privateServer: Promise<Server> | null = null;

/**
 * A cluster of this test file's own, for a file whose load would disturb the others: gigabytes of
 * WAL from one huge transaction make every other slot on a shared server read through it.
 */
function ownServer(): Promise<Server> {
  privateServer ??= (async (): Promise<Server> => {
    await ensurePostgresInstalled();
    const cluster: Cluster = await startCluster();
    process.once('beforeExit', () => { void cluster.stop(); });
    return { url: new URL(cluster.url()), certsDir: cluster.certsDir, socketDir: cluster.socketDir };
  })();
  return privateServer;
}

function withDatabase(url: URL, database: string): string {
  const u = new URL(url.href);
  u.pathname = '/' + encodeURIComponent(database);
  return u.href;
}

async function withClient<T>(connectionString: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => { /* surfaced through the failing query instead */ });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** External servers (docker compose, a developer's own) may not have the tap's role yet. */
async function ensureTapUser(admin: pg.Client): Promise<void> {
  const { rowCount } = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = 'tapuser'");
  if (rowCount) return;
  try {
    await admin.query("CREATE ROLE tapuser LOGIN PASSWORD 'tappass' REPLICATION");
  } catch (err) {
    // Another test file running concurrently created it first.
    if ((err as { code?: string }).code !== '42710' && (err as { code?: string }).code !== '23505') throw err;
  }
}

/**
 * A logical slot pins its database (DROP DATABASE refuses while one exists), and a slot stays
 * active until its walsender notices termination, hence terminate, then retry dropping slots.
 */
async function dropDatabase(admin: pg.Client, dbName: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [dbName],
    );
    const { rows } = await admin.query<{ active: boolean }>(
      'SELECT active, CASE WHEN NOT active THEN pg_drop_replication_slot(slot_name) END ' +
        'FROM pg_replication_slots WHERE database = $1',
      [dbName],
    );
    if (!rows.some((r) => r.active)) break;
    if (attempt >= 100) throw new Error(`replication slots in ${dbName} stay active`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // WITH (FORCE) exists from PostgreSQL 13; on 12 the sessions were ended just above.
  const { rows: [version] } = await admin.query<{ n: number }>("SELECT current_setting('server_version_num')::int AS n");
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)}${version!.n >= 130000 ? ' WITH (FORCE)' : ''}`);
}

/** `encoding`: a server encoding other than UTF8 for the database (with the C locale, which suits any). */
export async function createTestDatabase(name: string, options: { ownCluster?: boolean; encoding?: string } = {}): Promise<TestDatabase> {
  const { url, certsDir, socketDir } = options.ownCluster === true ? await ownServer() : await testServer();
  const dbName = testDatabaseName(name);
  const ident = quoteIdent(dbName);
  const adminUrl = url.href;

  await withClient(adminUrl, async (admin) => {
    await ensureTapUser(admin);
    await dropDatabase(admin, dbName);
    const encoding = options.encoding === undefined ? '' : ` ENCODING '${options.encoding}' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'`;
    await admin.query(`CREATE DATABASE ${ident}${encoding}`);
    await admin.query(`GRANT CONNECT ON DATABASE ${ident} TO tapuser`);
  });
  const superUrl = withDatabase(url, dbName);
  await withClient(superUrl, (c) => c.query('GRANT USAGE, CREATE ON SCHEMA public TO tapuser'));

  const pool = new pg.Pool({ connectionString: superUrl, max: 4 });
  pool.on('error', () => { /* idle clients die when tests restart the server; next query reconnects */ });
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || 5432);
  let closed = false;

  return {
    name: dbName,
    host,
    port,
    superUrl,
    certsDir,
    socketDir,
    tapConfig: (overrides = {}) => ({
      host, port, user: 'tapuser', password: 'tappass', dbname: dbName, filter_dbs: dbName, ...overrides,
    }),
    async query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
      return (await pool.query(sql, params)).rows as T[];
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await pool.end();
      await withClient(adminUrl, (admin) => dropDatabase(admin, dbName));
    },
  };
}
