/**
 * Where the oldest transaction still open in this database began. A row that such a transaction
 * wrote (or will write) carries a database-clock key — now(), clock_timestamp(), a trigger's
 * timestamp — at or after that point, and it becomes visible only when it commits, possibly after
 * a reader has gone past it. `hidden` counts sessions whose transactions this user cannot see
 * (pg_stat_activity hides them without pg_read_all_stats): their start is unknown.
 */
import type { PgClient } from '../connection/connect.js';

export interface OpenTransactions {
  /** PostgreSQL's text of the earliest open transaction's start, or of now when none is open. */
  oldestStart: string;
  hidden: number;
}

export async function openTransactions(client: PgClient): Promise<OpenTransactions> {
  const { rows } = await client.query<{ oldest: string; hidden: string }>(
    `SELECT least(statement_timestamp(),
                  min(xact_start) FILTER (WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'))::text AS oldest,
            count(*) FILTER (WHERE query = '<insufficient privilege>')::text AS hidden
       FROM pg_stat_activity WHERE datname = current_database()`,
  );
  const row = rows[0] as { oldest: string; hidden: string };
  return { oldestStart: row.oldest, hidden: Number(row.hidden) };
}
