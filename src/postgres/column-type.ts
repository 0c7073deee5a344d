import type { PgColumnType } from '../values/index.js';
import type { RawColumn } from './introspection.js';

/** Folds a raw pg_attribute/pg_type row into the type description the value converters use. */
export function toColumnType(raw: RawColumn): PgColumnType {
  return {
    sqlType: raw.sql_type,
    typname: raw.typname,
    typtype: raw.typtype,
    typcategory: raw.typcategory,
    elemTypname: raw.elem_typname,
    elemTyptype: raw.elem_typtype,
    typmod: raw.typmod,
    notNull: raw.not_null,
  };
}
