import type { PgColumnType } from './pg-column-type.js';

/**
 * The one table of how a PostgreSQL type travels: both the column's JSON Schema and its value
 * converter are chosen from this kind, so discovery and sync can never disagree.
 */
export type TypeKind =
  | 'integer' // int2/int4/int8/oid: the text is a JSON integer
  | 'numeric' // exact decimal text; NaN/±Infinity → null
  | 'float' // float4/float8 shortest-exact text; NaN/±Infinity → null
  | 'boolean' // 't'/'f'
  | 'bit1' // bit(1): '1'/'0' as a boolean (singer-io)
  | 'date' // date-time at midnight UTC
  | 'timestamp' // timestamp/timestamptz: date-time in UTC with six fractional digits
  | 'json' // json/jsonb: the JSON text itself, on one line
  | 'bytea' // hex digits
  | 'array' // PG array literal → JSON array of the element kind
  | 'string' // everything else: the PostgreSQL text as a JSON string
  | 'unsupported'; // pseudo-types: no column value to represent

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
  ['json', 'json'],
  ['jsonb', 'json'],
  ['bytea', 'bytea'],
  // Listed for the reader; any base type not in this table is 'string' too.
  ['text', 'string'],
  ['varchar', 'string'],
  ['bpchar', 'string'],
  ['name', 'string'],
  ['char', 'string'],
  ['citext', 'string'],
  ['uuid', 'string'],
  ['xml', 'string'],
  ['time', 'string'],
  ['timetz', 'string'],
  ['interval', 'string'],
  ['inet', 'string'],
  ['cidr', 'string'],
  ['macaddr', 'string'],
  ['macaddr8', 'string'],
  ['money', 'string'],
  ['bit', 'string'],
  ['varbit', 'string'],
  ['tsvector', 'string'],
  ['tsquery', 'string'],
  ['pg_lsn', 'string'],
  // TODO(every type issue): hstore → object.
  ['hstore', 'string'],
]);

/** Types in category 'A' with an element type whose text is space-separated, not an array literal. */
const VECTOR_TYPES: ReadonlySet<string> = new Set(['int2vector', 'oidvector']);

export function typeKind(type: PgColumnType): TypeKind {
  if (type.typtype === 'p') return 'unsupported';
  if (type.typcategory === 'A' && type.elemTypname !== null && !VECTOR_TYPES.has(type.typname)) return 'array';
  // Enums, ranges, multiranges are their text. TODO(every type issue): composites → objects.
  if (type.typtype !== 'b') return 'string';
  if (type.typname === 'bit' && type.typmod === 1) return 'bit1';
  return KIND_BY_TYPNAME.get(type.typname) ?? 'string';
}
