/**
 * A RECORD line written straight from the bytes of a wal2json document: the common value forms
 * (numbers, booleans, strings, UTC timestamps, dates, JSON documents, arrays of numbers) are copied
 * or rewritten byte by byte into the output, everything else goes through the column's converter
 * as text. A byte form is used for a column only if it gives exactly what the converter gives on
 * sample values (checked when the writer is built), and falls back to the converter for any value
 * not in its plain form, so both paths always write the same line. Pure (writes into a buffer).
 */
import { UTF8_TEXT, type DatabaseText, type TextDecode } from '../../postgres/catalog/server-encoding.js';
import type { LineBuffer } from '../../singer/line-buffer.js';
import type { PgColumnType, ValueConverter } from '../../values/index.js';
import { byteForm, put, type ByteForm } from './value-bytes.js';
import { isNullToken, type RowSlots } from './wal2json-row.js';

export interface RecordParts {
  /** `{"type":"RECORD",…,"record":{` */
  readonly prefix: string;
  /** `"name":` of each column, with its leading comma. */
  readonly keyPrefixes: readonly string[];
  /** Everything after the record's last value, newline included. */
  readonly suffix: string;
}

/** The text fragment of column `i` for a token (the general formatter's per-value path). */
export type TextFragment = (i: number, token: string) => string | null;

const NULL_BYTES = Buffer.from('null');

export class RecordBytes {
  private readonly prefix: Buffer;
  private readonly keyPrefixes: Buffer[];
  private suffix: Buffer;
  private readonly forms: (ByteForm | null)[];
  private readonly decode: TextDecode;

  /** `text`: how the documents' text reads; strings are copied as bytes only when it is UTF-8. */
  constructor(parts: RecordParts, types: readonly (PgColumnType | undefined)[], converters: readonly ValueConverter[], literal: readonly boolean[], text: DatabaseText = UTF8_TEXT) {
    this.decode = text.decode;
    this.prefix = Buffer.from(parts.prefix);
    this.keyPrefixes = parts.keyPrefixes.map((key) => Buffer.from(key));
    this.suffix = Buffer.from(parts.suffix);
    this.forms = types.map((type, i) => (type === undefined ? null : byteForm(type, converters[i] as ValueConverter, literal[i] === true, text.utf8)));
  }

  setSuffix(suffix: string): void {
    this.suffix = Buffer.from(suffix);
  }

  /**
   * Writes the line of a row whose every column is in `row` (else false, nothing written): the
   * columns, then null for the keys after them (`_sdc_deleted_at`).
   */
  write(data: Buffer, row: RowSlots, out: LineBuffer, fragment: TextFragment): boolean {
    const { starts, ends } = row;
    const width = this.forms.length;
    for (let i = 0; i < width; i++) if (starts[i] === -1) return false;
    out.room(this.prefix.length);
    put(out, this.prefix);
    for (let i = 0; i < width; i++) {
      const key = this.keyPrefixes[i] as Buffer;
      const start = starts[i] as number;
      const end = ends[i] as number;
      // Room for the key and what any byte form writes (at most twice its token plus 24 bytes);
      // a converter's text, which has no such bound, makes its own room.
      out.room(key.length + 2 * (end - start) + 24);
      put(out, key);
      if (isNullToken(data, start, end)) {
        put(out, NULL_BYTES);
        continue;
      }
      const form = this.forms[i];
      const at = out.pos;
      if (form?.(data, start, end, out)) continue;
      out.pos = at;
      out.text(fragment(i, this.decode(data, start, end)) ?? 'null');
    }
    for (let k = width; k < this.keyPrefixes.length; k++) {
      const key = this.keyPrefixes[k] as Buffer;
      out.room(key.length + NULL_BYTES.length);
      put(out, key);
      put(out, NULL_BYTES);
    }
    out.room(this.suffix.length);
    put(out, this.suffix);
    return true;
  }
}
