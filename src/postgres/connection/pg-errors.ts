/**
 * Turns driver and socket errors into one clear TapError. Only the host, port, database and user
 * appear in messages; the password never does.
 */
import { TapError } from '../../errors.js';

/** The connection as the user configured it, for error messages (never the password). */
export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  /** The SSH bastion the connection went through, if any. */
  via?: string;
}

interface PgLikeError extends Error {
  code?: string;
  errno?: number;
  severity?: string;
}

export function connectionError(error: unknown, at: ConnectionTarget): TapError {
  if (error instanceof TapError) return error;
  const err = error as PgLikeError;
  const where = `${at.host}:${at.port}`;
  if (err.code === '28000' && /certificate/i.test(err.message)) {
    return new TapError('PG_AUTH_FAILED', `the server at ${where} requires a valid client certificate for user "${at.user}" (${err.message})`, {
      hint: 'Set ssl_cert and ssl_key to a client certificate signed by the CA the server trusts, issued for this user.',
      cause: error,
    });
  }
  const ssl = sslError(err, where);
  if (ssl !== null) return ssl;
  if (at.via !== undefined && /Connection terminated|ECONNRESET|socket hang up/i.test(err.message)) {
    return new TapError('PG_UNREACHABLE', `the SSH bastion ${at.via} cannot reach PostgreSQL at ${where}`, {
      hint: 'host and port must be the database address as the bastion sees it (e.g. a private IP); check that the bastion can connect there.',
      retryable: true,
      cause: error,
    });
  }
  if (/password must be a string|no password (was )?supplied/i.test(err.message)) {
    return new TapError('CONFIG_INVALID', `the server at ${where} asks for a password for user "${at.user}", and the config has none`, {
      hint: 'Set "password" in the config (or PGPASSWORD in the environment).',
      cause: error,
    });
  }
  switch (err.code) {
    case '28P01':
    case '28000':
      return new TapError('PG_AUTH_FAILED', `authentication failed for user "${at.user}" on ${where} database "${at.database}"`, {
        hint: 'Check user and password in the config, and that pg_hba.conf allows this user from this host.',
        cause: error,
      });
    case '3D000':
      return new TapError('PG_DATABASE_NOT_FOUND', `database "${at.database}" does not exist on ${where}`, {
        hint: 'Fix "dbname" (or "filter_dbs") in the config; list databases with psql -l.',
        cause: error,
      });
    case '42501':
      return new TapError('PG_PERMISSION_DENIED', `user "${at.user}" may not connect to database "${at.database}" on ${where}`, {
        hint: `Run: GRANT CONNECT ON DATABASE "${at.database}" TO "${at.user}";`,
        cause: error,
      });
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new TapError('PG_UNREACHABLE', `cannot reach PostgreSQL at ${where} (${err.code})`, {
        hint: 'Check host and port in the config, that the server is running, and that no firewall blocks it.',
        retryable: true,
        cause: error,
      });
    default:
      return new TapError('PG_UNREACHABLE', `cannot connect to PostgreSQL at ${where} database "${at.database}": ${err.message}`, {
        hint: 'Check host, port, SSL settings and that the server accepts connections from this machine.',
        retryable: true,
        cause: error,
      });
  }
}

/** `grant`: the statement that fixes a permission error of this query, when the caller knows it. */
export function queryError(error: unknown, what: string, grant?: string): TapError {
  if (error instanceof TapError) return error;
  const err = error as PgLikeError;
  if (err.code === '42501') {
    return new TapError('PG_PERMISSION_DENIED', `permission denied while ${what}: ${err.message}`, {
      hint: grant === undefined || !/for (table|relation|view|materialized view)/i.test(err.message)
        ? 'Grant the missing privilege (GRANT USAGE ON SCHEMA ... / GRANT SELECT ON ...) to the tap user.'
        : `Run (as the table's owner or a superuser): ${grant}`,
      cause: error,
    });
  }
  if (err.code === '42P01') {
    return new TapError('TABLE_NOT_FOUND', `table not found while ${what}: ${err.message}`, {
      hint: 'Run --discover again: the catalog names a table that no longer exists.',
      cause: error,
    });
  }
  if (isConnectionLoss(error)) {
    return new TapError('PG_CONNECTION_LOST', `connection to PostgreSQL lost while ${what}: ${err.message}`, {
      hint: 'Run again: the tap resumes from the last STATE it wrote.',
      retryable: true,
      cause: error,
    });
  }
  return new TapError('PG_QUERY_FAILED', `query failed while ${what}: ${err.message}${err.code === undefined ? '' : ` (SQLSTATE ${err.code})`}`, {
    hint: 'Check the server log for details; rerun with --log-level debug.',
    cause: error,
  });
}

/**
 * Whether the connection went away under a query: the server shut down, restarted or terminated the
 * session (SQLSTATE class 57P and 08), or the socket broke. Running again may succeed.
 */
export function isConnectionLoss(error: unknown): boolean {
  const err = error as PgLikeError | null | undefined;
  if (err === null || err === undefined || typeof err.message !== 'string') return false;
  const code = err.code ?? '';
  if (/^57P0[1-4]$/.test(code) || /^08...$/.test(code)) return true;
  if (['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED'].includes(code)) return true;
  return /Connection terminated|not queryable|socket hang up|read ECONNRESET|write EPIPE/i.test(err.message);
}

/**
 * A failure of the server or the connection as a TapError (connection loss is retryable); any
 * other error — one of our own — is returned as it is, to be reported as INTERNAL.
 */
export function serverFailure(error: unknown, what: string, grant?: string): unknown {
  if (error instanceof TapError) return error;
  const err = error as PgLikeError | null | undefined;
  const fromServer = typeof err?.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) && typeof err.severity === 'string';
  return fromServer || isConnectionLoss(error) ? queryError(error, what, grant) : error;
}

/** TLS failures say which check failed: the server refused TLS, the chain, or the host name. */
function sslError(err: PgLikeError, where: string): TapError | null {
  if (/does not support SSL/i.test(err.message)) {
    return new TapError('PG_SSL_REFUSED', `the server at ${where} does not accept SSL connections, but sslmode requires it`, {
      hint: 'Enable ssl=on on the server, or lower sslmode (prefer connects without TLS when the server offers none).',
      cause: err,
    });
  }
  const code = err.code ?? '';
  if (/^[0-9A-Z]{5}$/.test(code)) return null; // a server SQLSTATE, not a TLS failure
  if (/bad decrypt|bad password read|unable to load.*key/i.test(err.message)) {
    return new TapError('CONFIG_INVALID', 'the client key in ssl_key cannot be decrypted', {
      hint: 'Set ssl_key_passphrase to the passphrase of ssl_key (or give an unencrypted key).',
      cause: err,
    });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /Hostname\/IP does not match/i.test(err.message)) {
    return new TapError('PG_SSL_VERIFY_FAILED', `the server certificate at ${where} is not valid for this host name (verify-full host name check): ${err.message}`, {
      hint: 'Connect with the host name the certificate was issued for, or use sslmode verify-ca to check only the chain.',
      cause: err,
    });
  }
  if (/CERT|certificate|self.signed|unable to (get|verify)/i.test(code) || /certificate/i.test(err.message)) {
    return new TapError('PG_SSL_VERIFY_FAILED', `the server certificate at ${where} is not signed by ssl_root_cert (chain check): ${err.message}`, {
      hint: 'Set ssl_root_cert to the CA that signed the server certificate (verify-ca / verify-full).',
      cause: err,
    });
  }
  return null;
}
