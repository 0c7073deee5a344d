/**
 * What sync needs to know of many tables at once — oid, row estimate, columns with their types —
 * read in three queries whatever their number, so a run of thousands of small streams does not
 * pay four round trips per stream before its COPY. Taken when a database's streams start; a
 * stream reached after `maxAgeMs` reads its table again (a long run must still see a column
 * dropped meanwhile before it copies).
 */
import type { PgClient } from '../connection/connect.js';
import { groupByRelation, listColumns, type RawColumn } from './introspection.js';

export interface TableFacts {
  oid: number;
  /** The planner's estimate of the rows, or null when never analyzed. */
  rowEstimate: number | null;
  /**
   * The planner's count of the table's pages: 0 for a table never vacuumed or analyzed since it had
   * rows (its estimate then says nothing: before PostgreSQL 14 it is 0 too), a view, a partitioned
   * parent, or a table truncated since.
   */
  pages: number;
  columns: readonly RawColumn[];
}

export interface TableName { schema: string; table: string }

export class TableSnapshot {
  private constructor(private readonly facts: ReadonlyMap<string, TableFacts>, private readonly takenAt: number, private readonly maxAgeMs: number) {}

  static async take(client: PgClient, tables: readonly TableName[], maxAgeMs = 30_000): Promise<TableSnapshot> {
    const takenAt = Date.now();
    const { rows } = await client.query<{ schema: string; table: string; oid: number; estimate: number; pages: number }>(
      `SELECT n.nspname AS schema, c.relname AS "table", c.oid::int8::float8 AS oid, c.reltuples::float8 AS estimate, c.relpages AS pages
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [tables.map((name) => name.schema), tables.map((name) => name.table)],
    );
    const columns = groupByRelation(await listColumns(client, rows.map((row) => row.oid)));
    const facts = new Map(rows.map((row) => [key(row), { oid: row.oid, rowEstimate: row.estimate >= 0 ? Math.round(row.estimate) : null, pages: row.pages, columns: columns.get(row.oid) ?? [] }]));
    return new TableSnapshot(facts, takenAt, maxAgeMs);
  }

  /**
   * The table's facts; null when the snapshot is too old to trust. A table missing from a fresh
   * snapshot did not exist when it was taken: the caller's own lookup says so with its error.
   */
  get(name: TableName): TableFacts | null {
    if (Date.now() - this.takenAt > this.maxAgeMs) return null;
    return this.facts.get(key(name)) ?? null;
  }
}

function key(name: TableName): string {
  return JSON.stringify([name.schema, name.table]);
}
