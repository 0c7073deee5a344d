import type { PgColumnType } from './pg-column-type.js';

/** The PgColumnType of an array column's element (the column's typmod belongs to the element). */
export function elementType(type: PgColumnType): PgColumnType {
  const sqlType = type.sqlType.endsWith('[]') ? type.sqlType.replace(/(\[\])+$/, '') : type.sqlType;
  return {
    sqlType,
    typname: type.elemTypname ?? 'text',
    typtype: type.elemTyptype ?? 'b',
    typcategory: '',
    elemTypname: null,
    elemTyptype: null,
    typmod: type.typmod,
    notNull: false,
  };
}
