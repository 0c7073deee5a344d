/**
 * The form a column's values take when the catalog's schema for it asks for one (a user may edit
 * it): json/jsonb as a string, the parsed value or [null, object, array]; numbers as numbers or as
 * exact strings; dates as date-time or date. A schema that names none of the forms the column can
 * take is refused with the forms it can. Schemas that name the tap's own form, or say nothing
 * about it (a catalog from singer-io, an older release), change nothing. Pure.
 */
import type { ConvertOptions, PgColumnType } from './pg-column-type.js';
import { typeKind } from './type-kind.js';

export type FormResult = { options: Partial<ConvertOptions> } | { problem: string };

/** 'array' is left out: an array's items schema may lose it to nesting. */
const ANY_JSON = ['object', 'string', 'number', 'boolean'];

export function columnForm(type: PgColumnType, schema: unknown): FormResult {
  const declared = declaredTypes(schema);
  if (declared === null) return { options: {} };
  const kind = typeKind(type);
  const has = (name: string): boolean => declared.has(name);
  switch (kind) {
    case 'json':
      if (declared.size === 1 && has('string')) return { options: { jsonForm: 'string' } };
      if ([...declared].every((name) => name === 'object' || name === 'array')) return { options: { jsonForm: 'object' } };
      if (ANY_JSON.every(has)) return { options: { jsonForm: 'value' } };
      return { problem: 'a json/jsonb column is written as a JSON string (type ["null", "string"]), as [null, object, array], or as any JSON value' };
    case 'numeric':
    case 'float':
      if (declared.size === 1 && has('string')) return { options: { numberAsString: true } };
      if (has('number') && !has('string')) return { options: { numberAsString: false } };
      return { problem: 'a numeric or float column is written as a number, or as its exact text (type ["null", "string"])' };
    case 'date': {
      const format = (schema as { format?: unknown }).format;
      if (!has('string')) return { problem: 'a date column is a string with format date-time or date' };
      if (format === 'date') return { options: { dateFormat: 'date' } };
      return { options: { dateFormat: 'date-time' } };
    }
    case 'array': {
      if (declared.size === 1 && has('string')) return { options: { jsonText: true } };
      if (!has('array')) return { problem: 'an array column is written as an array, or as its JSON text (type ["null", "string"])' };
      // The element's form, from the items' schema (items also allow nested arrays).
      const items = (schema as { items?: unknown }).items;
      const element = columnForm(type.element as PgColumnType, withoutArray(items));
      return 'problem' in element ? element : { options: { ...element.options, jsonText: false } };
    }
    case 'composite': {
      if (declared.size === 1 && has('string')) return { options: { jsonText: true } };
      if (!has('object')) return { problem: 'a composite column is written as an object, or as its JSON text (type ["null", "string"])' };
      // Forms apply to the whole column: the attributes' schemas each say theirs, the first one wins.
      const properties = ((schema as { properties?: unknown }).properties ?? {}) as Record<string, unknown>;
      const options: Partial<ConvertOptions> = {};
      for (const attribute of type.attributes ?? []) {
        const form = columnForm(attribute.type, properties[attribute.name]);
        if ('problem' in form) return { problem: `attribute "${attribute.name}": ${form.problem}` };
        for (const [key, value] of Object.entries(form.options)) if (!(key in options)) (options as Record<string, unknown>)[key] = value;
      }
      return { options: { ...options, jsonText: false } };
    }
    case 'hstore':
      if (declared.size === 1 && has('string')) return { options: { jsonText: true } };
      return has('object') ? { options: { jsonText: false } } : { problem: 'an hstore column is written as an object, or as its JSON text (type ["null", "string"])' };
    case 'integer':
      return has('integer') || has('number') ? { options: {} } : { problem: 'an integer column is written as an integer' };
    case 'boolean':
    case 'bit1':
      return has('boolean') ? { options: {} } : { problem: 'a boolean column is written as a boolean' };
    case 'unsupported':
      return { options: {} };
    default:
      return has('string') ? { options: {} } : { problem: `a ${type.sqlType} column is written as a string` };
  }
}

/** An array's items schema without the 'array' it allows for nested arrays. */
function withoutArray(items: unknown): unknown {
  if (items === null || typeof items !== 'object') return items;
  const type = (items as { type?: unknown }).type;
  return Array.isArray(type) ? { ...items, type: type.filter((name) => name !== 'array') } : items;
}

/** The schema's non-null types, or null when it names none. */
function declaredTypes(schema: unknown): Set<string> | null {
  if (schema === null || typeof schema !== 'object') return null;
  const type = (schema as { type?: unknown }).type;
  const list = typeof type === 'string' ? [type] : Array.isArray(type) ? type.filter((item): item is string => typeof item === 'string') : [];
  const names = new Set(list.filter((name) => name !== 'null'));
  return names.size === 0 ? null : names;
}
