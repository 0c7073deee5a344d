import pg from 'pg';
import type { TapConfig } from '../config/tap-config.js';
import { logger } from '../log.js';
import { connectionError } from './pg-errors.js';
import { sessionOptionsString } from './session-settings.js';
import { isSslRefused, sslAttempts, type SslAttempt } from './ssl-options.js';

/**
 * Opens one client to one database with the tap's fixed session settings. Each database gets its
 * own connection, closed by the caller when its work is done.
 */
export type PgClient = pg.Client;

/** The TLS choice that worked last (libpq's prefer/allow try two); replication connections reuse it. */
let workingSsl: SslAttempt | undefined;

/** Client settings for `database`, including the session settings as startup options. */
export function connectionOptions(config: TapConfig, database: string, ssl: SslAttempt = workingSsl ?? (sslAttempts(config.ssl)[0] as SslAttempt)): pg.ClientConfig {
  return {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database,
    ssl,
    options: sessionOptionsString(),
    application_name: 'tap-postgres',
    connectionTimeoutMillis: 30_000,
    keepAlive: true,
  };
}

export async function connect(config: TapConfig, database: string): Promise<PgClient> {
  const attempts = sslAttempts(config.ssl);
  let lastError: unknown;
  for (const [index, ssl] of attempts.entries()) {
    const client = new pg.Client(connectionOptions(config, database, ssl));
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
  throw connectionError(lastError, { host: config.host, port: config.port, database, user: config.user });
}

export async function withConnection<T>(config: TapConfig, database: string, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await connect(config, database);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
