import { ExactNumber } from './exact-number.js';

/** A JSON Schema object as discovery builds it; bounds JS numbers cannot hold are ExactNumber. */
export type JsonSchema = Record<string, unknown>;

/**
 * Serialises a schema (or any JSON-like value) like JSON.stringify without indentation, except that
 * every ExactNumber is written as its exact text, e.g. int8's 9223372036854775807.
 */
export function schemaToJson(schema: JsonSchema): string {
  return write(schema);
}

function write(value: unknown): string {
  if (value instanceof ExactNumber) return value.text;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = value[i];
      out += isOmitted(item) ? 'null' : write(item);
    }
    return out + ']';
  }
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    let out = '{';
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (isOmitted(item)) continue;
      out += (first ? '' : ',') + JSON.stringify(key) + ':' + write(item);
      first = false;
    }
    return out + '}';
  }
  return JSON.stringify(value) ?? 'null';
}

function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}
