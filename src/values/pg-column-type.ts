/**
 * What discovery and sync know about a column's type, read from pg_type/pg_attribute with domains
 * already resolved to their base type. Everything in src/values is chosen from this, once per column.
 */
export interface PgColumnType {
  /** format_type(atttypid, atttypmod) of the DECLARED type (domain name kept): 'numeric(10,2)', 'integer[]', 'my_domain'. */
  sqlType: string;
  /** pg_type.typname of the base type after domain resolution: 'int8', 'timestamptz', '_int4', 'my_enum'. */
  typname: string;
  /** The base type's typtype: 'b' base, 'e' enum, 'c' composite, 'r' range, 'm' multirange, 'p' pseudo. */
  typtype: string;
  /** The base type's typcategory: 'A' array, 'N' numeric, 'S' string, 'D' datetime, 'U' user, ... */
  typcategory: string;
  /** For arrays: the element's base typname ('int4'); otherwise null. */
  elemTypname: string | null;
  /** For arrays: the element's typtype; otherwise null. */
  elemTyptype: string | null;
  /** atttypmod (or the domain's typtypmod); -1 when none. For arrays it is the element's typmod. */
  typmod: number;
  /** attnotnull, or a NOT NULL domain. */
  notNull: boolean;
}

/**
 * Conversion settings, from the config (`out_of_range_values`, `json_as_string`, `date_format`).
 * `onOutOfRange` is called when a value could not be written as itself (infinity, NaN, BC, year
 * past 9999) and was mapped to null or clamped; the caller logs it once per column.
 */
export interface ConvertOptions {
  outOfRange?: 'null' | 'clamp';
  jsonAsString?: boolean;
  dateFormat?: 'date-time' | 'date';
  onOutOfRange?: (value: string, writtenAs: string) => void;
}
