/**
 * The current text of a row's selected columns, found by its primary key (values bound as
 * parameters and cast to the key's type). Null when the row no longer exists or the table has
 * no key. Used when wal2json leaves unchanged TOASTed values out of an update.
 */
import type { PgClient } from '../connection/connect.js';
import { queryError } from '../connection/pg-errors.js';
import { quoteIdent, quoteQualified } from '../quote.js';

const RAW_TEXT = { getTypeParser: () => (value: string) => value };

export interface RowTarget {
  schema: string;
  table: string;
  /** Columns to read, in order. */
  names: readonly string[];
  /** Key column → its SQL type (format_type), for the casts. */
  keys: ReadonlyMap<string, string>;
}

export async function fetchRowByKey(client: PgClient, target: RowTarget, keySource: readonly { name: string; text: string | null }[]): Promise<Map<string, string | null> | null> {
  if (target.keys.size === 0) return null;
  const keys = [...target.keys.keys()];
  const keyValues = keys.map((key) => keySource.find((column) => column.name === key)?.text ?? null);
  if (keyValues.some((value) => value === null)) return null;
  const where = keys.map((key, i) => `${quoteIdent(key)} = $${i + 1}::${target.keys.get(key) as string}`).join(' AND ');
  const sql = `SELECT ${target.names.map(quoteIdent).join(', ')} FROM ${quoteQualified(target.schema, target.table)} WHERE ${where}`;
  try {
    const result = await client.query<unknown[]>({ text: sql, values: keyValues, rowMode: 'array', types: RAW_TEXT } as never);
    const row = result.rows[0] as (string | null)[] | undefined;
    if (row === undefined) return null;
    return new Map(target.names.map((name, i) => [name, row[i] ?? null]));
  } catch (error) {
    throw queryError(error, `reading the current row of ${target.schema}.${target.table}`);
  }
}
