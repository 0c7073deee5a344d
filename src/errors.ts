/**
 * Every failure a user can act on is a TapError: a stable code (documented in docs/errors.md),
 * a one-line message saying what is wrong, and a hint saying what to do. The code decides the
 * exit status; `retryable` tells a scheduler whether running again may help.
 */
export type ErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID_JSON'
  | 'CONFIG_INVALID'
  | 'CATALOG_NOT_FOUND'
  | 'CATALOG_INVALID_JSON'
  | 'CATALOG_INVALID'
  | 'STATE_NOT_FOUND'
  | 'STATE_INVALID_JSON'
  | 'STATE_INVALID'
  | 'STATE_LSN_AHEAD'
  | 'STATE_LSN_BEHIND_SLOT'
  | 'SELECTION_INVALID'
  | 'STREAM_NAME_COLLISION'
  | 'SCHEMA_DRIFT'
  | 'PG_AUTH_FAILED'
  | 'PG_UNREACHABLE'
  | 'PG_DATABASE_NOT_FOUND'
  | 'PG_CONNECTION_LOST'
  | 'PG_PERMISSION_DENIED'
  | 'PG_QUERY_FAILED'
  | 'TABLE_NOT_FOUND'
  | 'VALUE_TOO_LARGE'
  | 'OUTPUT_CLOSED'
  | 'SSH_AUTH_FAILED'
  | 'SSH_HOST_KEY_MISMATCH'
  | 'SSH_UNREACHABLE'
  | 'PG_SSL_REFUSED'
  | 'PG_SSL_VERIFY_FAILED'
  | 'LOGICAL_NOT_ENABLED'
  | 'REPLICATION_ON_STANDBY'
  | 'SLOT_NOT_FOUND'
  | 'SLOT_WRONG_DATABASE'
  | 'SLOT_WRONG_PLUGIN'
  | 'SLOT_INVALIDATED'
  | 'PUBLICATION_NOT_FOUND'
  | 'PUBLICATION_INCOMPLETE'
  | 'WAL2JSON_MISSING'
  | 'WAL2JSON_NOT_ALLOWED'
  | 'REPLICATION_PRIVILEGE'
  | 'REPLICATION_FAILED'
  | 'NOT_READY'
  | 'RUN_LOCKED'
  | 'RUN_FAILED'
  | 'USAGE'
  | 'INTERRUPTED'
  | 'INTERNAL';

export interface TapErrorOptions {
  hint: string;
  retryable?: boolean;
  cause?: unknown;
  /** Process exit status; 1 unless said otherwise (e.g. 143 after SIGTERM). */
  exitCode?: number;
}

export class TapError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly retryable: boolean;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: TapErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TapError';
    this.code = code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Wraps anything that is not already a TapError so the CLI can still print one clear line. */
export function asTapError(error: unknown): TapError {
  if (error instanceof TapError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TapError('INTERNAL', `unexpected error: ${message}`, {
    hint: 'This is a bug in tap-postgres; rerun with --log-level debug and report the output.',
    cause: error,
  });
}
