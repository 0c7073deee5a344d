import { ExactNumber } from './exact-number.js';
import { numericBounds } from './numeric-bounds.js';
import type { ConvertOptions, PgColumnType } from './pg-column-type.js';
import type { JsonSchema } from './schema-to-json.js';
import { typeKind, unsupportedReason, type TypeKind } from './type-kind.js';

export interface ColumnSchemaResult {
  schema: JsonSchema;
  inclusion: 'available' | 'unsupported';
  /** Why the column is unsupported, for the discovery log. */
  reason?: string;
}

/** Integer bounds; int8's cannot be JS numbers. */
const INTEGER_BOUNDS: ReadonlyMap<string, readonly [number | ExactNumber, number | ExactNumber]> = new Map<
  string,
  readonly [number | ExactNumber, number | ExactNumber]
>([
  ['int2', [-32768, 32767]],
  ['int4', [-2147483648, 2147483647]],
  ['int8', [new ExactNumber('-9223372036854775808'), new ExactNumber('9223372036854775807')]],
  ['oid', [0, 4294967295]],
]);

/** Every JSON type: "any JSON value" written so draft-04 and draft-07 validators read it alike. */
const ANY_JSON_TYPES: readonly string[] = ['object', 'array', 'string', 'number', 'integer', 'boolean'];

const VARHDRSZ = 4;

/**
 * The JSON Schema of a column (draft-04/07 neutral: only keywords both drafts read alike). Nullable
 * columns get type ['null', X], NOT NULL ones [X] — except kinds whose non-null values may be written
 * as null (NaN always; infinity, BC and past-9999 unless out_of_range_values is 'clamp'), which stay
 * nullable so a record never contradicts its schema. Schemas may hold ExactNumber bounds: serialise
 * them with schemaToJson.
 */
export function columnSchema(type: PgColumnType, options: ConvertOptions = {}): ColumnSchemaResult {
  const kind = typeKind(type);
  if (kind === 'unsupported') return unsupported(unsupportedReason(type));
  if (writesJsonText(kind, options)) {
    const inner = columnSchema(type, { ...options, jsonText: false });
    if (inner.inclusion === 'unsupported') return inner;
    return available({ type: jsonTypes(type.notNull, ['string']), contentMediaType: 'application/json' });
  }
  if (kind === 'array') {
    const element = columnSchema(type.element as PgColumnType, { ...options, jsonText: false });
    if (element.inclusion === 'unsupported') return unsupported(`array of an unsupported type: ${element.reason ?? ''}`);
    return available({ type: jsonTypes(type.notNull, ['array']), items: arrayItems(element.schema) });
  }
  if (kind === 'composite') {
    const properties: [string, JsonSchema][] = [];
    for (const attribute of type.attributes ?? []) {
      const result = columnSchema(attribute.type, { ...options, jsonText: false });
      if (result.inclusion === 'unsupported') return unsupported(`attribute "${attribute.name}" of ${type.sqlType}: ${result.reason ?? ''}`);
      properties.push([attribute.name, result.schema]);
    }
    // fromEntries defines own properties, so an attribute called __proto__ stays an attribute.
    return available({ type: jsonTypes(type.notNull, ['object']), properties: Object.fromEntries(properties) });
  }
  const notNull = type.notNull && !mayBecomeNull(kind, options);
  return available(scalarSchema(kind, { ...type, notNull }, options));
}

/** Whether a column of this kind is written as its JSON text in a string (ConvertOptions.jsonText). */
export function writesJsonText(kind: TypeKind, options: ConvertOptions): boolean {
  if (kind !== 'array' && kind !== 'hstore' && kind !== 'composite') return false;
  return options.jsonText ?? (kind !== 'array' && options.jsonForm === 'string');
}

function mayBecomeNull(kind: TypeKind, options: ConvertOptions): boolean {
  if (kind === 'numeric' || kind === 'float') return true;
  return (kind === 'date' || kind === 'timestamp') && options.outOfRange !== 'clamp';
}

function scalarSchema(kind: Exclude<TypeKind, 'array' | 'composite' | 'unsupported'>, type: PgColumnType, options: ConvertOptions): JsonSchema {
  switch (kind) {
    case 'integer': {
      const bounds = INTEGER_BOUNDS.get(type.typname);
      const schema: JsonSchema = { type: jsonTypes(type.notNull, ['integer']) };
      if (bounds !== undefined) [schema.minimum, schema.maximum] = bounds;
      return schema;
    }
    case 'numeric':
      return options.numberAsString === true ? numberStringSchema(type) : numericSchema(type);
    case 'float':
      return options.numberAsString === true ? numberStringSchema(type) : { type: jsonTypes(type.notNull, ['number']) };
    case 'boolean':
    case 'bit1':
      return { type: jsonTypes(type.notNull, ['boolean']) };
    case 'date':
      return { type: jsonTypes(type.notNull, ['string']), format: options.dateFormat === 'date' ? 'date' : 'date-time' };
    case 'timestamp':
      return { type: jsonTypes(type.notNull, ['string']), format: 'date-time' };
    case 'json':
      return jsonSchema(type, options);
    case 'hstore':
      return { type: jsonTypes(type.notNull, ['object']), additionalProperties: { type: ['null', 'string'] } };
    case 'interval':
    case 'bytea':
      return { type: jsonTypes(type.notNull, ['string']) };
    case 'string':
      return stringSchema(type);
  }
}

/**
 * numeric(p,s): inclusive bounds ±(10^(p−s) − 10^−s) as exact text. No multipleOf (a float-based
 * validator rejects 0.07 against multipleOf 0.01) and no boolean exclusiveMaximum (draft-04 only):
 * precision and scale go in non-validating annotations instead.
 */
function numericSchema(type: PgColumnType): JsonSchema {
  const schema: JsonSchema = { type: jsonTypes(type.notNull, ['number']) };
  const bounds = numericBounds(type.typmod);
  if (bounds === null) return schema;
  schema.minimum = new ExactNumber('-' + bounds.maximum);
  schema.maximum = new ExactNumber(bounds.maximum);
  schema['x-sql-precision'] = bounds.precision;
  schema['x-sql-scale'] = bounds.scale;
  return schema;
}

function jsonSchema(type: PgColumnType, options: ConvertOptions): JsonSchema {
  switch (options.jsonForm ?? 'value') {
    case 'string':
      return { type: jsonTypes(type.notNull, ['string']), contentMediaType: 'application/json' };
    case 'object':
      // Exactly this set, NOT NULL or not: it is what pipelinewise and target-duckdb key on.
      return { type: ['null', 'object', 'array'] };
    case 'value':
      return { type: jsonTypes(type.notNull, ANY_JSON_TYPES) };
  }
}

/** A number as its exact text: the precision and scale stay as annotations. */
function numberStringSchema(type: PgColumnType): JsonSchema {
  const schema: JsonSchema = { type: jsonTypes(type.notNull, ['string']) };
  const bounds = type.typname === 'numeric' ? numericBounds(type.typmod) : null;
  if (bounds !== null) {
    schema['x-sql-precision'] = bounds.precision;
    schema['x-sql-scale'] = bounds.scale;
  }
  return schema;
}

/** varchar(n)/character(n) carry maxLength n (characters, as in JSON Schema), like singer-io. */
function stringSchema(type: PgColumnType): JsonSchema {
  const schema: JsonSchema = { type: jsonTypes(type.notNull, ['string']) };
  if ((type.typname === 'varchar' || type.typname === 'bpchar') && type.typmod >= VARHDRSZ) {
    schema.maxLength = type.typmod - VARHDRSZ;
  }
  return schema;
}

/**
 * PostgreSQL arrays do not declare their dimensions, so an array's items are "the element (null
 * allowed) or a nested array": the element's schema with 'array' added to its type. Keywords like
 * minimum or format apply only to their own JSON type, so they never reject a nested array; the
 * elements of nested arrays are left unconstrained (a per-property schema cannot recurse without
 * root definitions, which singer-io needed and targets handle unevenly).
 */
function arrayItems(element: JsonSchema): JsonSchema {
  const types = element.type as readonly string[];
  return { ...element, type: types.includes('array') ? types : [...types, 'array'] };
}

function jsonTypes(notNull: boolean, types: readonly string[]): string[] {
  return notNull ? [...types] : ['null', ...types];
}

function available(schema: JsonSchema): ColumnSchemaResult {
  return { schema, inclusion: 'available' };
}

function unsupported(reason: string): ColumnSchemaResult {
  return { schema: {}, inclusion: 'unsupported', reason };
}
