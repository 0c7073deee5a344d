/**
 * Raw catalog rows from pg_catalog, one query per kind of fact. Builders elsewhere fold them into
 * catalog entries and column types.
 */
import type { PgClient } from '../connection/connect.js';
import { queryError } from '../connection/pg-errors.js';

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
  /** format_type(atttypid, atttypmod): the declared type, domain name kept. */
  sql_type: string;
  not_null: boolean;
  /** atttypid: resolve it through `types`. */
  type_oid: number;
  typmod: number;
  can_select: boolean;
  /** Every type the listed columns reach (domains, array elements, composite attributes), by oid; one map shared by all rows of a call. */
  types: ReadonlyMap<number, RawType>;
}

/** One pg_type row, with a composite's attributes. */
export interface RawType {
  oid: number;
  typname: string;
  typtype: string;
  typcategory: string;
  typdelim: string;
  /** Domains: the type the domain is over; otherwise 0. */
  base_oid: number;
  /** Domains: the declared typmod of that base type; otherwise -1. */
  typtypmod: number;
  typnotnull: boolean;
  /** Arrays (and a few fixed-length types like point): the element type; otherwise 0. */
  elem_oid: number;
  /** Composites: the live attributes in attnum order; otherwise null. */
  attributes: RawAttribute[] | null;
}

export interface RawAttribute {
  name: string;
  type_oid: number;
  typmod: number;
  sql_type: string;
}

export interface RawKeyColumn {
  rel_oid: number;
  name: string;
}

const SYSTEM_SCHEMA_FILTER = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;

export async function listDatabases(client: PgClient): Promise<string[]> {
  // datconnlimit -2: a database a DROP DATABASE has started removing (PostgreSQL 15.4 and later).
  const sql = `SELECT datname FROM pg_database
    WHERE datallowconn AND NOT datistemplate AND datconnlimit <> -2 AND has_database_privilege(datname, 'CONNECT')
    ORDER BY datname`;
  return run(client, sql, [], 'listing databases', (rows: { datname: string }[]) => rows.map((row) => row.datname));
}

/** Whether `database` exists and is not being dropped. */
export async function databaseExists(client: PgClient, database: string): Promise<boolean> {
  const sql = 'SELECT 1 FROM pg_database WHERE datname = $1 AND datconnlimit <> -2';
  return run(client, sql, [database], 'looking up a database', (rows: unknown[]) => rows.length > 0);
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
 * Columns with the raw pg_type rows of every type they reach, for resolution by OID in
 * `toColumnType`: two queries per call whatever the number of columns or the depth of domains,
 * arrays and composites.
 */
export async function listColumns(client: PgClient, relationOids: readonly number[]): Promise<RawColumn[]> {
  const columnsSql = `SELECT a.attrelid::int8::float8 AS rel_oid, a.attname AS name, a.attnum AS position,
      format_type(a.atttypid, a.atttypmod) AS sql_type, a.attnotnull AS not_null,
      a.atttypid::int8::float8 AS type_oid, a.atttypmod AS typmod,
      has_column_privilege(a.attrelid, a.attnum, 'SELECT') AS can_select
    FROM pg_attribute a
    WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attrelid, a.attnum`;
  // One after the other: a pg client runs one query at a time, and queueing two is deprecated.
  const columns = await run(client, columnsSql, [relationOids], 'reading column types', (rows: Omit<RawColumn, 'types'>[]) => rows);
  const types = await listReachableTypes(client, relationOids);
  return columns.map((column) => ({ ...column, types }));
}

/**
 * The closure of the columns' types under "domain → base type", "array → element" and
 * "composite → attribute types" (UNION, so a type is visited once; PostgreSQL forbids a
 * composite that contains itself, so the closure is finite anyway).
 */
async function listReachableTypes(client: PgClient, relationOids: readonly number[]): Promise<ReadonlyMap<number, RawType>> {
  const sql = `WITH RECURSIVE reachable(oid) AS (
      SELECT a.atttypid FROM pg_attribute a
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
      UNION
      SELECT next.oid FROM reachable r
      JOIN pg_type t ON t.oid = r.oid
      CROSS JOIN LATERAL (
        SELECT t.typbasetype WHERE t.typtype = 'd'
        UNION ALL SELECT t.typelem WHERE t.typcategory = 'A' AND t.typelem <> 0
        UNION ALL SELECT a.atttypid FROM pg_attribute a
          WHERE t.typtype = 'c' AND a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
      ) AS next(oid)
    )
    SELECT t.oid::int8::float8 AS oid, t.typname, t.typtype, t.typcategory, t.typdelim,
      t.typbasetype::int8::float8 AS base_oid, t.typtypmod, t.typnotnull, t.typelem::int8::float8 AS elem_oid,
      CASE WHEN t.typtype = 'c' THEN (
        SELECT COALESCE(json_agg(json_build_object('name', a.attname, 'type_oid', a.atttypid::int8, 'typmod', a.atttypmod,
          'sql_type', format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum), '[]')
        FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
      ) END AS attributes
    FROM pg_type t WHERE t.oid IN (SELECT oid FROM reachable)`;
  return run(client, sql, [relationOids], 'reading column types', (rows: RawType[]) => new Map(rows.map((row) => [row.oid, row])));
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

/**
 * Rows of a catalog query by relation, in their order: one pass, so callers stay linear in the
 * number of columns (a filter per relation made 10,000 tables take minutes).
 */
export function groupByRelation<Row extends { rel_oid: number }>(rows: readonly Row[]): Map<number, Row[]> {
  const groups = new Map<number, Row[]>();
  for (const row of rows) {
    const group = groups.get(row.rel_oid);
    if (group === undefined) groups.set(row.rel_oid, [row]);
    else group.push(row);
  }
  return groups;
}
