import type { PgColumnType } from '../../values/index.js';
import type { RawColumn, RawType } from './introspection.js';

/** PostgreSQL forbids self-containing composites, so real nesting is shallow; this only bounds a corrupt catalog. */
const MAX_DEPTH = 64;

const TRAILING_BRACKETS = /(\[\])+$/;

/**
 * Folds a raw column row into the type description the value converters use, resolving by OID:
 * domains to their base type (any depth), arrays to their element, composites to their attributes.
 */
export function toColumnType(raw: RawColumn): PgColumnType {
  return resolve(raw.types, raw.type_oid, raw.typmod, raw.sql_type, raw.not_null, 0);
}

function resolve(types: ReadonlyMap<number, RawType>, oid: number, typmod: number, sqlType: string, notNull: boolean, depth: number): PgColumnType {
  let type = types.get(oid);
  let resolvedTypmod = typmod;
  let resolvedNotNull = notNull;
  // A column cannot put a typmod on a domain, so the first declared typmod down the chain applies.
  for (let hops = 0; type?.typtype === 'd' && hops < MAX_DEPTH; hops++) {
    resolvedNotNull ||= type.typnotnull;
    if (resolvedTypmod === -1) resolvedTypmod = type.typtypmod;
    type = types.get(type.base_oid);
  }
  // Missing: the type was dropped between our two catalog queries. Its text is still a string.
  if (type === undefined || type.typtype === 'd' || depth > MAX_DEPTH) {
    return { sqlType, typname: 'unknown', typtype: 'b', typcategory: 'X', typmod: resolvedTypmod, notNull: resolvedNotNull };
  }
  const result: PgColumnType = {
    sqlType,
    typname: type.typname,
    typtype: type.typtype,
    typcategory: type.typcategory,
    typmod: resolvedTypmod,
    notNull: resolvedNotNull,
  };
  if (type.typcategory === 'A' && type.elem_oid !== 0) {
    const element = types.get(type.elem_oid);
    const elementSql = sqlType.endsWith('[]') ? sqlType.replace(TRAILING_BRACKETS, '') : (element?.typname ?? 'unknown');
    // Elements may be NULL whatever the column says; the element's typmod is the array's.
    result.element = nullable(resolve(types, type.elem_oid, resolvedTypmod, elementSql, false, depth + 1));
    result.delimiter = element?.typdelim ?? ',';
  }
  if (type.typtype === 'c' && type.attributes !== null) {
    // Composite values do not enforce attnotnull or NOT NULL domains on their attributes.
    result.attributes = type.attributes.map((attribute) => ({
      name: attribute.name,
      type: nullable(resolve(types, attribute.type_oid, attribute.typmod, attribute.sql_type, false, depth + 1)),
    }));
  }
  return result;
}

function nullable(type: PgColumnType): PgColumnType {
  return type.notNull ? { ...type, notNull: false } : type;
}
