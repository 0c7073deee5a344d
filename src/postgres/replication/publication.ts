/**
 * The publication a pgoutput slot is read through: it decides which tables the server sends. It
 * must exist and cover every LOG_BASED table of the database; a partitioned table is published
 * through its root (publish_via_partition_root, PostgreSQL 13 and later), or on 12 through its
 * partitions. Each problem is one error with the statement that fixes it.
 */
import { TapError } from '../../errors.js';
import type { PgClient } from '../connection/connect.js';
import { quoteIdent, quoteQualified } from '../quote.js';

export interface PublishedTable {
  schema: string;
  table: string;
  /** Leaf partitions when the table is partitioned (empty otherwise). */
  partitions: readonly { schema: string; table: string }[];
}

export async function checkPublication(client: PgClient, database: string, publication: string, tables: readonly PublishedTable[]): Promise<void> {
  const { rows } = await client.query<{ via_root: boolean; all_tables: boolean; server_version_num: string }>(
    `SELECT ${await viaRootColumn(client)} AS via_root, puballtables AS all_tables, current_setting('server_version_num') AS server_version_num FROM pg_publication WHERE pubname = $1`,
    [publication],
  );
  const found = rows[0];
  const name = quoteIdent(publication);
  const list = tables.map((table) => quoteQualified(table.schema, table.table)).join(', ');
  if (found === undefined) {
    const viaRoot = tables.some((table) => table.partitions.length > 0) ? ' WITH (publish_via_partition_root = true)' : '';
    throw new TapError('PUBLICATION_NOT_FOUND', `publication ${name} does not exist in database "${database}" (a pgoutput slot is read through a publication; publication_name, default the slot's name)`, {
      hint: `As the tables' owner (or a superuser), in database "${database}" run: CREATE PUBLICATION ${name} FOR TABLE ${list}${viaRoot};`,
    });
  }
  if (found.all_tables && (found.via_root || !tables.some((table) => table.partitions.length > 0))) return;
  const published = await client.query<{ schemaname: string; tablename: string }>('SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1', [publication]);
  const has = new Set(published.rows.map((row) => JSON.stringify([row.schemaname, row.tablename])));
  const covered = (schema: string, table: string): boolean => found.all_tables || has.has(JSON.stringify([schema, table]));
  const before13 = Number(found.server_version_num) < 130000;
  const missing: string[] = [];
  for (const table of tables) {
    // PostgreSQL 12 publishes partitions, never the partitioned table itself.
    const units = table.partitions.length > 0 && before13 ? table.partitions : [table];
    for (const unit of units) if (!covered(unit.schema, unit.table)) missing.push(quoteQualified(unit.schema, unit.table));
  }
  if (missing.length > 0) {
    throw new TapError('PUBLICATION_INCOMPLETE', `publication ${name} in database "${database}" does not cover ${missing.join(', ')}: the server would send none of their changes`, {
      hint: `As the tables' owner (or a superuser) run: ALTER PUBLICATION ${name} ADD TABLE ${missing.join(', ')};`,
    });
  }
  const partitioned = tables.filter((table) => table.partitions.length > 0);
  if (partitioned.length > 0 && !before13 && !found.via_root) {
    throw new TapError('PUBLICATION_INCOMPLETE', `publication ${name} publishes the partitions of ${partitioned.map((table) => quoteQualified(table.schema, table.table)).join(', ')} as tables of their own, not as their partitioned table`, {
      hint: `Run: ALTER PUBLICATION ${name} SET (publish_via_partition_root = true);`,
    });
  }
}

/** pg_publication.pubviaroot exists from PostgreSQL 13. */
async function viaRootColumn(client: PgClient): Promise<string> {
  const { rows } = await client.query<{ n: string }>("SELECT count(*)::text AS n FROM pg_attribute WHERE attrelid = 'pg_catalog.pg_publication'::regclass AND attname = 'pubviaroot'");
  return rows[0]?.n === '1' ? 'pubviaroot' : 'false';
}
