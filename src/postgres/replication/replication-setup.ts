/**
 * The named steps that must hold before a database's log-based streams can be read, each one
 * query and one check. Every failure says exactly what to run to fix it.
 */
import { TapError } from '../../errors.js';
import type { PgClient } from '../connection/connect.js';

export interface SlotInfo {
  slotName: string;
  plugin: string;
  database: string;
  walStatus: string | null;
  confirmedFlushLsn: string | null;
  safeWalSize: string | null;
  retainedBytes: string | null;
}

export async function checkWalLevel(client: PgClient): Promise<void> {
  const { rows } = await client.query<{ wal_level: string }>('SHOW wal_level');
  const level = rows[0]?.wal_level ?? 'unknown';
  if (level !== 'logical') {
    throw new TapError('LOGICAL_NOT_ENABLED', `log-based replication needs wal_level=logical, but the server runs wal_level=${level}`, {
      hint: "Run ALTER SYSTEM SET wal_level = logical; (as a superuser) and restart PostgreSQL; also check max_replication_slots and max_wal_senders (>= 5).",
    });
  }
}

export async function checkPrimary(client: PgClient): Promise<void> {
  const { rows } = await client.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
  if (rows[0]?.standby === true) {
    throw new TapError('REPLICATION_ON_STANDBY', 'log-based replication must read from the primary, but this server is a standby (pg_is_in_recovery() is true)', {
      hint: 'Point host at the primary for LOG_BASED streams, or use FULL_TABLE/INCREMENTAL on the standby (set max_standby_streaming_delay and max_standby_archive_delay to 8-12 hours for long copies).',
    });
  }
}

/** The slot for `database`: `slot_name` if configured, else stitch_<db>, else stitch. */
export async function findSlot(client: PgClient, database: string, configured: string | null): Promise<SlotInfo> {
  const candidates = configured !== null ? [configured] : [`stitch_${database}`, 'stitch'];
  const { rows } = await client.query<{ slot_name: string; plugin: string | null; database: string | null; wal_status: string | null; confirmed_flush_lsn: string | null; safe_wal_size: string | null; retained_bytes: string | null }>(
    // wal_status and safe_wal_size exist from PostgreSQL 13: read through to_jsonb so 12 gives null.
    `SELECT slot_name, plugin, database, to_jsonb(s) ->> 'wal_status' AS wal_status, confirmed_flush_lsn::text,
            to_jsonb(s) ->> 'safe_wal_size' AS safe_wal_size,
            pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text AS retained_bytes
       FROM pg_replication_slots s WHERE slot_name = ANY($1::text[]) AND slot_type = 'logical'`,
    [candidates],
  );
  const slot = candidates.map((name) => rows.find((row) => row.slot_name === name)).find((row) => row !== undefined && row.database === database)
    ?? candidates.map((name) => rows.find((row) => row.slot_name === name)).find((row) => row !== undefined);
  const wanted = candidates[0] as string;
  if (slot === undefined) {
    throw new TapError('SLOT_NOT_FOUND', `no logical replication slot ${candidates.map((c) => `"${c}"`).join(' or ')} for database "${database}"`, {
      hint: `Connect to database "${database}" as a superuser and run: SELECT * FROM pg_create_logical_replication_slot('${wanted}', 'wal2json');`,
    });
  }
  if (slot.database !== database) {
    throw new TapError('SLOT_WRONG_DATABASE', `replication slot "${slot.slot_name}" belongs to database "${slot.database ?? '?'}", not "${database}"`, {
      hint: `Slots are per database: in "${database}" run SELECT * FROM pg_create_logical_replication_slot('stitch_${database}', 'wal2json'); (or set slot_name).`,
    });
  }
  if (slot.plugin !== 'wal2json' && slot.plugin !== 'pgoutput') {
    throw new TapError('SLOT_WRONG_PLUGIN', `replication slot "${slot.slot_name}" uses the ${slot.plugin ?? 'unknown'} plugin; the tap reads wal2json and pgoutput slots`, {
      hint: `Recreate it: SELECT pg_drop_replication_slot('${slot.slot_name}'); SELECT * FROM pg_create_logical_replication_slot('${slot.slot_name}', 'wal2json'); (or 'pgoutput' with a publication), then resync the LOG_BASED streams (tap-postgres state reset).`,
    });
  }
  if (slot.wal_status === 'lost') {
    throw slotLost(slot.slot_name);
  }
  return {
    slotName: slot.slot_name,
    plugin: slot.plugin,
    database: slot.database,
    walStatus: slot.wal_status,
    confirmedFlushLsn: slot.confirmed_flush_lsn,
    safeWalSize: slot.safe_wal_size,
    retainedBytes: slot.retained_bytes,
  };
}

export function slotLost(slotName: string): TapError {
  return new TapError('SLOT_INVALIDATED', `replication slot "${slotName}" is invalidated: the WAL it needs was already removed`, {
    hint: `Recreate the slot (SELECT pg_drop_replication_slot('${slotName}'); SELECT * FROM pg_create_logical_replication_slot('${slotName}', 'wal2json');), then reset the LOG_BASED streams with tap-postgres state reset so they are copied again; raise max_slot_wal_keep_size or run the tap more often.`,
  });
}

/** The WAL insert position: unlike the write position it includes asynchronous commits still in WAL buffers. */
export async function currentWalLsn(client: PgClient): Promise<string> {
  const { rows } = await client.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
  return rows[0]?.lsn ?? '0/0';
}
