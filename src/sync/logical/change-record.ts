import { RecordLineFormatter } from '../../singer/messages.js';
import type { ValueConverter } from '../../values/index.js';
import type { Wal2JsonColumn } from './wal2json-message.js';

/**
 * Turns one decoded row change into RECORD lines for its stream, with the same converters as
 * the table copy (a value looks the same whichever way it travelled). Pure.
 */
export const DELETED_AT = '_sdc_deleted_at';

export interface ChangeShape {
  readonly names: readonly string[];
  readonly converters: readonly ValueConverter[];
  readonly keys: readonly string[];
}

export interface ChangeFormatter {
  setTimeExtracted(time: Date): void;
  upsert(columns: readonly Wal2JsonColumn[]): { line: string; missing: string[] };
  upsertWith(values: ReadonlyMap<string, string | null>): string;
  delete(identity: readonly Wal2JsonColumn[], deletedAt: string): string;
  keyChanged(columns: readonly Wal2JsonColumn[], identity: readonly Wal2JsonColumn[]): boolean;
}

export function changeFormatter(stream: string, shape: ChangeShape, version: number): ChangeFormatter {
  const rows = new RecordLineFormatter(stream, [...shape.names, DELETED_AT], version);
  const deletes = new RecordLineFormatter(stream, [...shape.keys, DELETED_AT], version);
  const width = shape.names.length;
  const keyConverters = shape.keys.map((key) => shape.converters[shape.names.indexOf(key)] as ValueConverter);
  const convert = (converter: ValueConverter, text: string | null | undefined): string | null => (text === null || text === undefined ? null : converter(text));

  const upsertWith = (values: ReadonlyMap<string, string | null>): string => {
    const fragments: (string | null)[] = new Array<string | null>(width + 1);
    for (let i = 0; i < width; i++) fragments[i] = convert(shape.converters[i] as ValueConverter, values.get(shape.names[i] as string));
    fragments[width] = null;
    return rows.format(fragments);
  };

  return {
    setTimeExtracted(time) {
      rows.setTimeExtracted(time);
      deletes.setTimeExtracted(time);
    },
    /** `missing`: selected columns the change did not carry (unchanged TOAST values, or dropped). */
    upsert(columns) {
      const values = byName(columns);
      const missing = shape.names.filter((name) => !values.has(name));
      return { line: upsertWith(values), missing };
    },
    upsertWith,
    delete(identity, deletedAt) {
      const values = byName(identity);
      const fragments = shape.keys.map((key, i) => convert(keyConverters[i] as ValueConverter, values.get(key)));
      return deletes.format([...fragments, JSON.stringify(deletedAt)]);
    },
    keyChanged(columns, identity) {
      if (shape.keys.length === 0 || identity.length === 0) return false;
      const now = byName(columns);
      const before = byName(identity);
      return shape.keys.some((key) => before.has(key) && now.has(key) && before.get(key) !== now.get(key));
    },
  };
}

function byName(columns: readonly Wal2JsonColumn[]): Map<string, string | null> {
  const map = new Map<string, string | null>();
  for (const column of columns) map.set(column.name, column.text);
  return map;
}
