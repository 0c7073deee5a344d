export type { ConvertOptions, JsonForm, PgAttribute, PgColumnType } from './pg-column-type.js';
export { columnSchema, type ColumnSchemaResult } from './column-schema.js';
export { valueConverter, type ValueConverter } from './value-converter.js';
export { jsonString } from './json-string.js';
export { schemaToJson, type JsonSchema } from './schema-to-json.js';
export { ExactNumber } from './exact-number.js';
export { typeKind, unsupportedReason, type TypeKind } from './type-kind.js';
export { columnForm, type FormResult } from './column-form.js';
export { byteAt, isZeroOffset } from './timestamp-converter.js';
