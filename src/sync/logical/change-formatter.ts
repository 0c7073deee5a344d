/**
 * Turns one decoded row change into RECORD lines for its stream, with the same converters as
 * the table copy (a value looks the same whichever way it travelled). Pure.
 */
import { RecordLineFormatter } from '../../singer/messages.js';
import { UTF8_TEXT, type DatabaseText } from '../../postgres/catalog/server-encoding.js';
import type { LineBuffer } from '../../singer/line-buffer.js';
import { jsonString, type PgColumnType, type ValueConverter } from '../../values/index.js';
import { RecordBytes } from './record-bytes.js';
import type { ColumnText } from './change-writer.js';
import { tokenText, type RowSlots, type RowToken } from './wal2json-row.js';

export const DELETED_AT = '_sdc_deleted_at';
/** The column LOG_BASED adds to every stream's schema. */
export const DELETED_AT_PROPERTY = { [DELETED_AT]: { type: ['null', 'string'], format: 'date-time' } };

export interface ChangeShape {
  readonly names: readonly string[];
  readonly converters: readonly ValueConverter[];
  readonly keys: readonly string[];
  /** Columns of type bytea: wal2json prints them without PostgreSQL's leading \x. */
  readonly bytea?: ReadonlySet<string>;
  /** The columns' types: values of plain forms are then written as bytes (record-bytes.ts). */
  readonly types?: readonly PgColumnType[];
  /** How the documents' text reads: UTF-8 unless the database is in another encoding. */
  readonly text?: DatabaseText;
}

export interface ChangeFormatter {
  setTimeExtracted(time: Date): void;
  upsert(columns: readonly ColumnText[]): { line: string; missing: string[] };
  upsertWith(values: ReadonlyMap<string, string | null>): string;
  delete(identity: readonly ColumnText[], deletedAt: string): string;
  keyChanged(columns: readonly ColumnText[], identity: readonly ColumnText[]): boolean;
  /** The fast path on bytes: the line of a row whose every column is in `row`, written into `out`; false (nothing written) otherwise. */
  upsertBytes(data: Buffer, row: RowSlots, out: LineBuffer): boolean;
  /** Tokens of the old row in column order; null when a key column is missing. */
  deleteTokens(identity: readonly RowToken[], deletedAt: string): string | null;
}

export function changeFormatter(stream: string, shape: ChangeShape, version: number): ChangeFormatter {
  const rows = new RecordLineFormatter(stream, [...shape.names, DELETED_AT], version);
  const deletes = new RecordLineFormatter(stream, [...shape.keys, DELETED_AT], version);
  const width = shape.names.length;
  const indexOf = new Map(shape.names.map((name, index) => [name, index]));
  const keyIndexes = shape.keys.map((key) => indexOf.get(key) ?? -1);
  const keyConverters = shape.keys.map((key) => shape.converters[shape.names.indexOf(key)] as ValueConverter);
  const convert = (converter: ValueConverter, text: string | null | undefined): string | null => (text === null || text === undefined ? null : converter(text));
  const bytea = shape.bytea ?? new Set<string>();
  // Hex digits never start with a backslash, so a value read back by SQL (already \x...) is left alone.
  const restore = (name: string, text: string | null | undefined): string | null | undefined =>
    text !== null && text !== undefined && bytea.size > 0 && bytea.has(name) && !text.startsWith('\\x') ? `\\x${text}` : text;

  // A string value of a text-like column is already a JSON string in the wal2json document:
  // it goes into the line as it came (PostgreSQL's escape_json and JSON.stringify agree).
  const literal = shape.names.map((name, i) => shape.converters[i] === jsonString && !bytea.has(name));
  const fragment = (i: number, token: string | null): string | null => {
    if (token === null) return null;
    if (literal[i] === true && token.charCodeAt(0) === 34 /* " */) return token;
    return (shape.converters[i] as ValueConverter)(restore(shape.names[i] as string, tokenText(token)) as string);
  };
  const keyFragments: (string | null)[] = new Array<string | null>(keyIndexes.length + 1);
  const types = shape.types ?? [];
  const bytes = new RecordBytes(rows.parts, shape.names.map((_name, i) => types[i]), shape.converters, literal, shape.text ?? UTF8_TEXT);

  const upsertWith = (values: ReadonlyMap<string, string | null>): string => {
    const fragments: (string | null)[] = new Array<string | null>(width + 1);
    for (let i = 0; i < width; i++) fragments[i] = convert(shape.converters[i] as ValueConverter, restore(shape.names[i] as string, values.get(shape.names[i] as string)));
    fragments[width] = null;
    return rows.format(fragments);
  };

  return {
    setTimeExtracted(time) {
      rows.setTimeExtracted(time);
      deletes.setTimeExtracted(time);
      bytes.setSuffix(rows.parts.suffix);
    },
    /** `missing`: selected columns the change did not carry (unchanged TOAST values, or dropped). */
    upsert(columns) {
      // The per-change path: columns go straight to their slot, no map per change.
      const fragments: (string | null)[] = new Array<string | null>(width + 1).fill(null);
      let present = 0;
      for (const column of columns) {
        const index = indexOf.get(column.name);
        if (index === undefined) continue;
        fragments[index] = convert(shape.converters[index] as ValueConverter, restore(column.name, column.text));
        present++;
      }
      const missing = present === width ? [] : shape.names.filter((name) => !columns.some((column) => column.name === name));
      return { line: rows.format(fragments), missing };
    },
    upsertWith,
    upsertBytes(data, row, out) {
      return bytes.write(data, row, out, fragment);
    },
    deleteTokens(identity, deletedAt) {
      for (let k = 0; k < keyIndexes.length; k++) {
        const token = identity[keyIndexes[k] as number];
        if (token === undefined) return null;
        keyFragments[k] = fragment(keyIndexes[k] as number, token);
      }
      keyFragments[keyIndexes.length] = JSON.stringify(deletedAt);
      return deletes.format(keyFragments);
    },
    delete(identity, deletedAt) {
      const values = byName(identity);
      const fragments = shape.keys.map((key, i) => convert(keyConverters[i] as ValueConverter, restore(key, values.get(key))));
      return deletes.format([...fragments, JSON.stringify(deletedAt)]);
    },
    keyChanged(columns, identity) {
      if (keyIndexes.length === 0 || identity.length === 0) return false;
      for (const key of shape.keys) {
        const before = identity.find((column) => column.name === key);
        const now = columns.find((column) => column.name === key);
        if (before !== undefined && now !== undefined && before.text !== now.text) return true;
      }
      return false;
    },
  };
}

function byName(columns: readonly ColumnText[]): Map<string, string | null> {
  const map = new Map<string, string | null>();
  for (const column of columns) map.set(column.name, column.text);
  return map;
}
