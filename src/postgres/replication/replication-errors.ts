/**
 * Errors of the replication connection, recognised by what the server says, each with the exact
 * fix. `slot` is the slot being read.
 */
import { TapError } from '../../errors.js';
import { isConnectionLoss } from '../connection/pg-errors.js';

export function replicationError(error: unknown, slot: string, user: string): TapError {
  if (error instanceof TapError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/may not be used as an output plugin/i.test(message)) {
    return new TapError('WAL2JSON_NOT_ALLOWED', `the server does not allow wal2json as an output plugin (${message})`, {
      hint: 'As a superuser run: ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, wal2json; SELECT pg_reload_conf(); (minor releases from late 2026 allow only the plugins listed there). Where server settings cannot be changed, read through pgoutput instead: a slot created with pgoutput and a publication of the tables (README: Log-based through pgoutput).',
      cause: error,
    });
  }
  if (/could not access file "wal2json"|wal2json.*No such file/i.test(message)) {
    return new TapError('WAL2JSON_MISSING', `the wal2json plugin is not installed on the server (${message})`, {
      hint: 'Install it on the database server (Debian/Ubuntu: apt-get install postgresql-15-wal2json, matching your major version), then retry; or read through pgoutput, built into every server: a slot created with pgoutput and a publication of the tables (README: Log-based through pgoutput).',
      cause: error,
    });
  }
  if (/must be superuser or replication role|permission denied to start WAL sender|must have the REPLICATION/i.test(message) || /no pg_hba.conf entry for replication/i.test(message)) {
    const hba = /pg_hba/i.test(message);
    return new TapError('REPLICATION_PRIVILEGE', `user "${user}" may not open a replication connection (${message})`, {
      hint: hba
        ? `Logical replication connections match pg_hba.conf's database column: add "host <database> ${user} <tap address>/32 scram-sha-256" (a "replication" rule covers only physical replication) and reload.`
        : `As a superuser run: ALTER ROLE "${user}" WITH REPLICATION;`,
      cause: error,
    });
  }
  if (/has already been removed|can no longer get changes from replication slot|this slot has been invalidated/i.test(message)) {
    return new TapError('SLOT_INVALIDATED', `replication slot "${slot}" can no longer be read: ${message}`, {
      hint: `Recreate the slot (SELECT pg_drop_replication_slot('${slot}'); SELECT * FROM pg_create_logical_replication_slot('${slot}', 'wal2json');) and reset the LOG_BASED streams with tap-postgres state reset.`,
      cause: error,
    });
  }
  if (/replication slot .* is active for PID/i.test(message)) {
    return new TapError('REPLICATION_FAILED', `replication slot "${slot}" is in use by another connection (${message})`, {
      hint: 'Another tap run (or consumer) is reading this slot; wait for it to finish, or give each consumer its own slot (slot_name).',
      retryable: true,
      cause: error,
    });
  }
  if (isConnectionLoss(error)) {
    return new TapError('PG_CONNECTION_LOST', `the replication session on slot "${slot}" was lost: ${message}`, {
      hint: 'Run again: the tap resumes from the last STATE it wrote (the server restarted, the session was terminated, or the network dropped).',
      retryable: true,
      cause: error,
    });
  }
  return new TapError('REPLICATION_FAILED', `reading changes from replication slot "${slot}" failed: ${message}`, {
    hint: 'Check the server log; the run can be repeated from the last STATE.',
    retryable: true,
    cause: error,
  });
}
