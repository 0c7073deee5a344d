/**
 * The one table of how a PostgreSQL type travels: both the column's JSON Schema and its value
 * converter are chosen from this kind, so discovery and sync can never disagree.
 */
import type { PgColumnType } from './pg-column-type.js';

export type TypeKind =
  | 'integer' // int2/int4/int8/oid: the text is a JSON integer
  | 'numeric' // exact decimal text; NaN → null, ±Infinity → null or clamped
  | 'float' // float4/float8 shortest-exact text; NaN → null, ±Infinity → null or clamped
  | 'boolean' // 't'/'f'
  | 'bit1' // bit(1): '1'/'0' as a boolean (singer-io)
  | 'date' // date-time at midnight UTC, or YYYY-MM-DD (date_format)
  | 'timestamp' // timestamp/timestamptz: date-time in UTC with six fractional digits
  | 'interval' // ISO 8601 duration, as PostgreSQL prints it with IntervalStyle iso_8601
  | 'json' // json/jsonb: the JSON text itself, on one line (or a string: json_as_string)
  | 'hstore' // object of string or null values
  | 'bytea' // hex digits
  | 'array' // PG array literal → JSON array of the element kind
  | 'composite' // record text → object of the attributes' kinds
  | 'string' // everything else: the PostgreSQL text as a JSON string
  | 'unsupported'; // pseudo-types: no declared structure to represent

const KIND_BY_TYPNAME: ReadonlyMap<string, TypeKind> = new Map<string, TypeKind>([
  ['int2', 'integer'],
  ['int4', 'integer'],
  ['int8', 'integer'],
  ['oid', 'integer'],
  ['numeric', 'numeric'],
  ['float4', 'float'],
  ['float8', 'float'],
  ['bool', 'boolean'],
  ['date', 'date'],
  ['timestamp', 'timestamp'],
  ['timestamptz', 'timestamp'],
  ['interval', 'interval'],
  ['json', 'json'],
  ['jsonb', 'json'],
  // Extension types are recognised by name: only C code can create a base type, so a base type
  // called hstore is the extension's whatever schema it was installed in.
  ['hstore', 'hstore'],
  ['bytea', 'bytea'],
  // Listed for the reader; any base type not in this table is 'string' too: its text is exact.
  ['text', 'string'],
  ['varchar', 'string'],
  ['bpchar', 'string'],
  ['name', 'string'],
  ['char', 'string'],
  ['citext', 'string'],
  ['ltree', 'string'],
  ['uuid', 'string'],
  ['xml', 'string'],
  ['time', 'string'],
  ['timetz', 'string'],
  ['inet', 'string'],
  ['cidr', 'string'],
  ['macaddr', 'string'],
  ['macaddr8', 'string'],
  ['money', 'string'], // its text follows lc_monetary ('$1,234.56'); the scale does too, so no fixed number form exists
  ['bit', 'string'],
  ['varbit', 'string'],
  ['tsvector', 'string'],
  ['tsquery', 'string'],
  ['pg_lsn', 'string'],
]);

/** Types in category 'A' with an element type whose text is space-separated, not an array literal. */
const VECTOR_TYPES: ReadonlySet<string> = new Set(['int2vector', 'oidvector']);

export function typeKind(type: PgColumnType): TypeKind {
  if (type.typtype === 'p') return 'unsupported';
  if (type.typcategory === 'A' && type.element !== undefined && !VECTOR_TYPES.has(type.typname)) return 'array';
  if (type.typtype === 'c') return type.attributes === undefined ? 'string' : 'composite';
  // Enums, ranges and multiranges are their text ('[1,10)', 'empty', '{[1,3),[5,7)}').
  if (type.typtype !== 'b') return 'string';
  if (type.typname === 'bit' && type.typmod === 1) return 'bit1';
  return KIND_BY_TYPNAME.get(type.typname) ?? 'string';
}

/** Why a column of an unsupported kind cannot be synced, for the catalog and the discovery log. */
export function unsupportedReason(type: PgColumnType): string {
  if (type.typname === 'record' || type.typname === '_record') {
    return `${type.sqlType} is an anonymous record (its attribute names and types are unknown); cast it to a named composite type`;
  }
  return `${type.sqlType} is a pseudo-type`;
}
