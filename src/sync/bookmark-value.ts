/**
 * Bookmark values in state, and back. The PostgreSQL text of a key value always casts back to
 * exactly the same value, so that is what is kept — as a JSON number for integers that JSON
 * readers hold exactly, and as a string otherwise (bigint past 2^53, numeric, timestamps, text).
 * Timestamps are kept in the records' ISO UTC form (castable back exactly, and readable).
 */
import type { PgColumnType, ValueConverter } from '../values/index.js';

export type BookmarkValue = string | number;

const INTEGER_TYPES = new Set(['int2', 'int4', 'int8', 'oid']);

export function toBookmarkValue(text: string, type: PgColumnType, converter: ValueConverter): BookmarkValue {
  if (INTEGER_TYPES.has(type.typname)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : text;
  }
  if (type.typname === 'timestamptz' || type.typname === 'timestamp') {
    // The record's own UTC form (…T05:06:07.123456+00:00) unless it is out of range ('infinity').
    const fragment = converter(text);
    if (fragment.startsWith('"')) return JSON.parse(fragment) as string;
  }
  return text;
}

/** The text bound into SQL for a stored bookmark value (numbers from older states included). */
export function fromBookmarkValue(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
