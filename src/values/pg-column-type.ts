/**
 * What discovery and sync know about a column's type, resolved by OID through pg_type: domains
 * are followed to their base type, arrays carry their element's resolved type and composites
 * their attributes' resolved types. Everything in src/values is chosen from this, once per column.
 */
export interface PgColumnType {
  /** format_type(atttypid, atttypmod) of the DECLARED type (domain name kept): 'numeric(10,2)', 'integer[]', 'my_domain'. */
  sqlType: string;
  /** pg_type.typname of the base type after domain resolution: 'int8', 'timestamptz', '_int4', 'my_enum', 'hstore'. */
  typname: string;
  /** The base type's typtype: 'b' base, 'e' enum, 'c' composite, 'r' range, 'm' multirange, 'p' pseudo. */
  typtype: string;
  /** The base type's typcategory: 'A' array, 'N' numeric, 'S' string, 'D' datetime, 'U' user, ... */
  typcategory: string;
  /** atttypmod (or the innermost declared domain typmod); -1 when none. An array's typmod belongs to its element. */
  typmod: number;
  /** attnotnull, or a NOT NULL domain anywhere in the domain chain. */
  notNull: boolean;
  /** Arrays: the element's resolved type (its typmod is the array column's). */
  element?: PgColumnType;
  /** Arrays: the element type's typdelim, ',' for every built-in type except box (';'). */
  delimiter?: string;
  /** Composites: the attributes in attnum order (dropped ones omitted, as record_out omits them). */
  attributes?: readonly PgAttribute[];
}

/** One attribute of a composite type. Its type's notNull is always false: composites do not enforce it. */
export interface PgAttribute {
  name: string;
  type: PgColumnType;
}

/**
 * How json/jsonb values are written: 'string' is the JSON text in a string (exact: SQL NULL and a
 * JSON null stay apart, and every target loads it as text); 'value' the parsed value, any JSON
 * type; 'object' the parsed value under the type set [null, object, array], which targets that
 * make jsonb columns key on (a validating target rejects a scalar document under it).
 */
export type JsonForm = 'string' | 'value' | 'object';

/**
 * Conversion settings, from the config (`out_of_range_values`, `json_format`, `date_format`,
 * `numeric_as_string`), refined per column by a catalog that asks for another form.
 * `onOutOfRange` is called when a value could not be written as itself (infinity, NaN, BC, year
 * past 9999) and was mapped to null or clamped; the caller logs it once per column.
 */
export interface ConvertOptions {
  outOfRange?: 'null' | 'clamp';
  /** Default 'value' here; the config's default is 'string'. */
  jsonForm?: JsonForm;
  dateFormat?: 'date-time' | 'date';
  /** numeric, real and double precision as their exact text in a JSON string (for targets that read numbers as floats). */
  numberAsString?: boolean;
  /**
   * An array, hstore or composite column written as its JSON text in a string (a target that
   * flattens objects or prints lists its own way keeps it exact). Default: hstore and composites
   * when jsonForm is 'string' (their keys, like a document's, are not a fixed column set), never
   * arrays. Applies to the column itself, not to values nested in it.
   */
  jsonText?: boolean;
  onOutOfRange?: (value: string, writtenAs: string) => void;
}
