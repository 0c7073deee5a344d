/**
 * PostgreSQL text output of one non-NULL value → the JSON fragment spliced verbatim into a RECORD.
 * The text comes from a session with TimeZone=UTC, DateStyle='ISO, MDY', IntervalStyle=postgres,
 * extra_float_digits=3 and bytea_output=hex. NULL never reaches a converter.
 */
import { arrayConverter } from './array-converter.js';
import { byteaToJson } from './bytea-to-json.js';
import { compactJson } from './compact-json.js';
import { compositeConverter } from './composite-converter.js';
import { dateConverter } from './date-converter.js';
import { hstoreToJson } from './hstore-to-json.js';
import { intervalToIso } from './interval-to-iso.js';
import { jsonString } from './json-string.js';
import { numberConverter } from './number-converter.js';
import type { ConvertOptions, PgColumnType } from './pg-column-type.js';
import { timestampConverter } from './timestamp-converter.js';
import { typeKind } from './type-kind.js';
import { writesJsonText } from './column-schema.js';

export type ValueConverter = (text: string) => string;

/**
 * Chooses the converter of a column once (options included); call the result per row. Arrays and
 * composites build their elements' and attributes' converters here too, so nothing is decided per value.
 */
export function valueConverter(type: PgColumnType, options: ConvertOptions = {}): ValueConverter {
  const kind = typeKind(type);
  if (writesJsonText(kind, options)) {
    const inner = valueConverter(type, { ...options, jsonText: false });
    return (text: string): string => JSON.stringify(inner(text));
  }
  const nested: ConvertOptions = { ...options, jsonText: false };
  switch (kind) {
    case 'integer':
      return integerToJson;
    case 'numeric':
    case 'float':
      return options.numberAsString === true ? quoted(numberConverter(type, options)) : numberConverter(type, options);
    case 'boolean':
      return boolToJson;
    case 'bit1':
      return bit1ToJson;
    case 'date':
      return dateConverter(options);
    case 'timestamp':
      return timestampConverter(options);
    case 'interval':
      return intervalToIso;
    case 'json':
      return (options.jsonForm ?? 'value') === 'string' ? jsonString : compactJson;
    case 'hstore':
      return hstoreToJson;
    case 'bytea':
      return byteaToJson;
    case 'array':
      return arrayConverter(valueConverter(type.element as PgColumnType, nested), type.delimiter ?? ',');
    case 'composite':
      return compositeConverter((type.attributes ?? []).map((attribute) => ({ name: attribute.name, convert: valueConverter(attribute.type, nested) })));
    case 'string':
    case 'unsupported':
      return jsonString;
  }
}

/** A number's exact text as a JSON string ('null' for a value written as null stays null). */
function quoted(convert: ValueConverter): ValueConverter {
  return (text: string): string => {
    const fragment = convert(text);
    return fragment === 'null' ? fragment : `"${fragment}"`;
  };
}

/** PostgreSQL integer text ('-9223372036854775808') is already a JSON integer. */
function integerToJson(text: string): string {
  return text;
}

/** 't' → true, 'f' → false. */
function boolToJson(text: string): string {
  return text.charCodeAt(0) === 116 /* t */ ? 'true' : 'false';
}

/** bit(1): '1' → true, '0' → false (singer-io's mapping). */
function bit1ToJson(text: string): string {
  return text.charCodeAt(0) === 49 /* 1 */ ? 'true' : 'false';
}
