/**
 * Facts about a table that decide what logical decoding can send for it: whether updates and
 * deletes carry a row identity, and for a partitioned table its leaf partitions (changes are
 * decoded under the partition's name).
 */
import type { PgClient } from '../connection/connect.js';
import { quoteQualified } from '../quote.js';

export interface ReplicationShape {
  /** False when wal2json skips updates and deletes (no primary key and identity DEFAULT, or NOTHING). */
  updatesIdentified: boolean;
  identity: 'default' | 'full' | 'index' | 'nothing';
  leaves: { schema: string; table: string }[];
}

const IDENTITY: Record<string, ReplicationShape['identity']> = { d: 'default', f: 'full', i: 'index', n: 'nothing' };

export async function replicationShape(client: PgClient, schema: string, table: string): Promise<ReplicationShape> {
  const { rows } = await client.query<{ relreplident: string; has_key: boolean; relkind: string; oid: string }>(
    `SELECT c.relreplident, c.relkind, c.oid::text AS oid,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND (i.indisprimary OR i.indisreplident)) AS has_key
       FROM pg_class c WHERE c.oid = $1::regclass`,
    [quoteQualified(schema, table)],
  );
  const row = rows[0];
  const identity = IDENTITY[row?.relreplident ?? 'd'] ?? 'default';
  const leaves = row?.relkind === 'p' ? await leafPartitions(client, row.oid) : [];
  const updatesIdentified = identity === 'full' || ((identity === 'default' || identity === 'index') && row?.has_key === true);
  return { updatesIdentified, identity, leaves };
}

async function leafPartitions(client: PgClient, oid: string): Promise<{ schema: string; table: string }[]> {
  const { rows } = await client.query<{ schema: string; table: string }>(
    `SELECT n.nspname AS schema, c.relname AS table
       FROM pg_partition_tree($1::oid::regclass) t JOIN pg_class c ON c.oid = t.relid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE t.isleaf ORDER BY 1, 2`,
    [oid],
  );
  return rows;
}
