/**
 * COPY cannot take bind parameters, so values a COPY query needs (bookmarks, last keys) are bound
 * as session settings with set_config($1, $2) and read back in SQL with current_setting(name)
 * cast to the column's type: values never become SQL text.
 */
import type { PgClient } from '../connection/connect.js';
import { queryError } from '../connection/pg-errors.js';

export function settingName(index: number): string {
  return `tap_postgres.p${index}`;
}

/** SQL that reads bound value `index` as `sqlType` (a format_type() name, valid SQL). */
export function boundValue(index: number, sqlType: string): string {
  return `current_setting('${settingName(index)}')::${sqlType}`;
}

export async function bindSettings(client: PgClient, values: readonly string[]): Promise<void> {
  try {
    for (const [index, value] of values.entries()) {
      await client.query('SELECT set_config($1, $2, false)', [settingName(index), value]);
    }
  } catch (error) {
    throw queryError(error, 'binding bookmark values');
  }
}

/**
 * Whether `text` reads as a value of `sqlType` (a format_type() name): null if it does, else the
 * server's reason (a bookmark of the wrong type must be named as such, not fail the read later).
 */
export async function castProblem(client: PgClient, text: string, sqlType: string): Promise<string | null> {
  try {
    await client.query(`SELECT $1::${sqlType}`, [text]);
    return null;
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('22')) return (error as Error).message;
    throw queryError(error, `checking a bookmark value as ${sqlType}`);
  }
}
