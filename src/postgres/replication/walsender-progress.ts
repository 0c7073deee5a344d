/**
 * Whether the walsender reading `slot` is busy decoding rather than waiting for new WAL. While
 * the server decodes a large transaction (of any table) nothing reaches the client, so quiet alone
 * does not mean idle. pg_stat_activity shows a session's wait_event to its own role, unlike
 * pg_stat_replication's positions, which need pg_read_all_stats.
 */
import type { PgClient } from '../connection/connect.js';

export async function walsenderBusy(client: PgClient, slot: string): Promise<boolean> {
  const { rows } = await client.query<{ wait_event: string | null }>(
    'SELECT a.wait_event FROM pg_stat_activity a JOIN pg_replication_slots s ON s.active_pid = a.pid WHERE s.slot_name = $1',
    [slot],
  );
  const row = rows[0];
  if (row === undefined) return false;
  // Waiting for WAL is idle; waiting for us to read (WalSenderWriteData) is our own backpressure.
  // Compared without case: PostgreSQL 17 renamed WalSenderWaitForWAL to WalSenderWaitForWal.
  const event = row.wait_event?.toLowerCase() ?? null;
  return event !== 'walsenderwaitforwal' && event !== 'walsenderwritedata';
}
