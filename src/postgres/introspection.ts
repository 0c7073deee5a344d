import type { PgClient } from './connect.js';
import { queryError } from './pg-errors.js';

/**
 * Raw catalog rows from pg_catalog, one query per kind of fact. Builders elsewhere fold them into
 * catalog entries and column types.
 */
export interface RawRelation {
  oid: number;
  schema: string;
  name: string;
  relkind: 'r' | 'v' | 'm' | 'p';
  row_estimate: string;
  is_partition: boolean;
  can_select: boolean;
  can_use_schema: boolean;
}

export interface RawColumn {
  rel_oid: number;
  name: string;
  position: number;
  sql_type: string;
  not_null: boolean;
  typname: string;
  typtype: string;
  typcategory: string;
  elem_typname: string | null;
  elem_typtype: string | null;
  typmod: number;
  can_select: boolean;
}

export interface RawKeyColumn {
  rel_oid: number;
  name: string;
}

const SYSTEM_SCHEMA_FILTER = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;

export async function listDatabases(client: PgClient): Promise<string[]> {
  const sql = `SELECT datname FROM pg_database
    WHERE datallowconn AND NOT datistemplate AND has_database_privilege(datname, 'CONNECT')
    ORDER BY datname`;
  return run(client, sql, [], 'listing databases', (rows: { datname: string }[]) => rows.map((row) => row.datname));
}

export async function listRelations(client: PgClient, schemas: readonly string[] | null): Promise<RawRelation[]> {
  const sql = `SELECT c.oid::int8::float8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind,
      GREATEST(c.reltuples, -1)::int8::text AS row_estimate, c.relispartition AS is_partition,
      has_any_column_privilege(c.oid, 'SELECT') AS can_select, has_schema_privilege(n.oid, 'USAGE') AS can_use_schema
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'v', 'm', 'p') AND ${SYSTEM_SCHEMA_FILTER}
      AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[]))
    ORDER BY n.nspname, c.relname`;
  return run(client, sql, [schemas], 'listing tables', (rows: RawRelation[]) => rows);
}

/**
 * Columns with their types resolved through any depth of domains (the declared type is kept in
 * sql_type, the base type drives conversion), for arrays also the element's base type.
 */
export async function listColumns(client: PgClient, relationOids: readonly number[]): Promise<RawColumn[]> {
  const sql = `WITH RECURSIVE base(oid, base_oid, typmod, depth) AS (
      SELECT t.oid, t.oid, -1, 0 FROM pg_type t
      UNION ALL
      SELECT b.oid, d.typbasetype, CASE WHEN b.typmod = -1 THEN d.typtypmod ELSE b.typmod END, b.depth + 1
      FROM base b JOIN pg_type d ON d.oid = b.base_oid AND d.typtype = 'd'
    ),
    resolved AS (
      SELECT DISTINCT ON (oid) oid, base_oid, typmod FROM base ORDER BY oid, depth DESC
    )
    SELECT a.attrelid::int8::float8 AS rel_oid, a.attname AS name, a.attnum AS position,
      format_type(a.atttypid, a.atttypmod) AS sql_type,
      a.attnotnull OR COALESCE(dt.typnotnull, false) AS not_null,
      bt.typname, bt.typtype, bt.typcategory,
      ebt.typname AS elem_typname, ebt.typtype AS elem_typtype,
      CASE WHEN a.atttypmod <> -1 THEN a.atttypmod ELSE r.typmod END AS typmod,
      has_column_privilege(a.attrelid, a.attnum, 'SELECT') AS can_select
    FROM pg_attribute a
    JOIN resolved r ON r.oid = a.atttypid
    JOIN pg_type bt ON bt.oid = r.base_oid
    LEFT JOIN pg_type dt ON dt.oid = a.atttypid AND dt.typtype = 'd'
    LEFT JOIN resolved er ON er.oid = bt.typelem AND bt.typcategory = 'A'
    LEFT JOIN pg_type ebt ON ebt.oid = er.base_oid
    WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attrelid, a.attnum`;
  return run(client, sql, [relationOids], 'reading column types', (rows: RawColumn[]) => rows);
}

export async function listPrimaryKeys(client: PgClient, relationOids: readonly number[]): Promise<RawKeyColumn[]> {
  const sql = `SELECT i.indrelid::int8::float8 AS rel_oid, a.attname AS name
    FROM pg_index i
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indisprimary AND i.indrelid = ANY($1::oid[])
    ORDER BY i.indrelid, k.ord`;
  return run(client, sql, [relationOids], 'reading primary keys', (rows: RawKeyColumn[]) => rows);
}

/** The oid of one relation by name, or null when it does not exist. */
export async function findRelationOid(client: PgClient, schema: string, table: string): Promise<number | null> {
  const sql = `SELECT c.oid::int8::float8 AS oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relname = $2`;
  return run(client, sql, [schema, table], `looking up ${schema}.${table}`, (rows: { oid: number }[]) => rows[0]?.oid ?? null);
}

async function run<R, T>(client: PgClient, sql: string, params: unknown[], what: string, fold: (rows: R[]) => T): Promise<T> {
  try {
    const result = await client.query(sql, params);
    return fold(result.rows as R[]);
  } catch (error) {
    throw queryError(error, what);
  }
}
