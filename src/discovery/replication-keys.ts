/**
 * Columns offered as `valid-replication-keys`: types with a total order whose text casts back to
 * exactly the same value, so a bookmark neither repeats nor skips rows.
 */
import type { PgColumnType } from '../values/index.js';

const ORDERABLE = new Set(['int2', 'int4', 'int8', 'oid', 'numeric', 'date', 'timestamp', 'timestamptz', 'text', 'varchar', 'bpchar', 'citext', 'uuid', 'pg_lsn']);

export function validReplicationKeys(columns: readonly { name: string; type: PgColumnType }[]): string[] {
  return columns.filter((column) => ORDERABLE.has(column.type.typname) && column.type.typcategory !== 'A').map((column) => column.name);
}
