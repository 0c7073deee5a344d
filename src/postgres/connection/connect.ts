/**
 * Opens one client to one database with the tap's fixed session settings. Each database gets its
 * own connection, closed by the caller when its work is done.
 */
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import pg from 'pg';
import type { TapConfig } from '../../config/tap-config.js';
import { logger } from '../../log.js';
import { endpoint } from './endpoint.js';
import { connectionError } from './pg-errors.js';
import { sessionOptionsString } from './session-settings.js';
import { isSslRefused, sslAttempts, type SslAttempt } from './ssl-options.js';

export type PgClient = pg.Client;

/** The TLS choice that worked last (libpq's prefer/allow try two); replication connections reuse it. */
let workingSsl: SslAttempt | undefined;

/**
 * Client settings for `database`, including the session settings as startup options. Through an
 * SSH tunnel the socket goes to the tunnel's local end, while TLS still names and verifies the
 * real database host.
 */
export async function connectionOptions(config: TapConfig, database: string, ssl: SslAttempt = workingSsl ?? (connectionSslAttempts(config)[0] as SslAttempt)): Promise<pg.ClientConfig> {
  const target = await endpoint(config);
  return {
    host: target.host,
    port: target.port,
    user: config.user,
    password: config.password,
    database,
    ssl: target.tunnelled ? forRealHost(ssl, config.host) : ssl,
    options: sessionOptionsString(),
    application_name: 'tap-postgres',
    connectionTimeoutMillis: 30_000,
    keepAlive: true,
  };
}

export async function connect(config: TapConfig, database: string): Promise<PgClient> {
  const attempts = connectionSslAttempts(config);
  let lastError: unknown;
  for (const [index, ssl] of attempts.entries()) {
    const client = new pg.Client(await connectionOptions(config, database, ssl));
    // An idle client's socket error would otherwise crash the process as an unhandled 'error'.
    client.on('error', (error) => logger('postgres').warn({ database, err: error.message }, 'connection error'));
    try {
      await client.connect();
      workingSsl = ssl;
      logger('postgres').debug({ database, ssl: ssl !== false }, 'connected');
      return client;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
      const canFallBack = index < attempts.length - 1 && (ssl === false || isSslRefused(error));
      if (!canFallBack) break;
    }
  }
  throw connectionError(lastError, { host: config.host, port: config.port, database, user: config.user, ...(config.sshTunnel === null ? {} : { via: config.sshTunnel.host }) });
}

/**
 * A host that starts with "/" is a Unix-socket directory, where libpq never uses TLS (the server
 * refuses it there): every sslmode connects in plain text, and the verify modes say so once.
 */
function connectionSslAttempts(config: TapConfig): SslAttempt[] {
  if (!isSocketDirectory(config)) return sslAttempts(config.ssl);
  if ((config.ssl.mode === 'verify-ca' || config.ssl.mode === 'verify-full') && !warnedAboutSocketTls) {
    warnedAboutSocketTls = true;
    logger('postgres').warn({ host: config.host, sslmode: config.ssl.mode }, `host ${config.host} is a Unix-socket directory: TLS does not apply there, so sslmode ${config.ssl.mode} verifies nothing`);
  }
  return [false];
}

let warnedAboutSocketTls = false;

function isSocketDirectory(config: TapConfig): boolean {
  return config.sshTunnel === null && config.host.startsWith('/');
}

function forRealHost(ssl: SslAttempt, host: string): SslAttempt {
  if (ssl === false) return false;
  const verifyHost = ssl.checkServerIdentity === undefined && ssl.rejectUnauthorized === true;
  return {
    ...ssl,
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(verifyHost ? { checkServerIdentity: (_name: string, cert: PeerCertificate) => checkServerIdentity(host, cert) } : {}),
  };
}

export async function withConnection<T>(config: TapConfig, database: string, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await connect(config, database);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
