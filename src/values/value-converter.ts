import { arrayConverter } from './array-converter.js';
import { byteaToJson } from './bytea-to-json.js';
import { compactJson } from './compact-json.js';
import { dateToJson } from './date-to-json.js';
import { elementType } from './element-type.js';
import { finiteNumberToJson } from './finite-number-to-json.js';
import { jsonString } from './json-string.js';
import type { ConvertOptions, PgColumnType } from './pg-column-type.js';
import { timestampToJson } from './timestamp-to-json.js';
import { typeKind } from './type-kind.js';

/**
 * PostgreSQL text output of one non-NULL value → the JSON fragment spliced verbatim into a RECORD.
 * The text comes from a session with TimeZone=UTC, DateStyle='ISO, MDY', IntervalStyle=postgres,
 * extra_float_digits=3 and bytea_output=hex. NULL never reaches a converter.
 */
export type ValueConverter = (text: string) => string;

/** Chooses the converter of a column once; call the result per row. */
export function valueConverter(type: PgColumnType, _options: ConvertOptions = {}): ValueConverter {
  switch (typeKind(type)) {
    case 'integer':
      return integerToJson;
    case 'numeric':
    case 'float':
      return finiteNumberToJson;
    case 'boolean':
      return boolToJson;
    case 'bit1':
      return bit1ToJson;
    case 'date':
      return dateToJson;
    case 'timestamp':
      return timestampToJson;
    case 'json':
      return compactJson;
    case 'bytea':
      return byteaToJson;
    case 'array': {
      const element = elementType(type);
      return arrayConverter(valueConverter(element, _options), element.typname === 'box' ? ';' : ',');
    }
    case 'string':
    case 'unsupported':
      return jsonString;
  }
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
