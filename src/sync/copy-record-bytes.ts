/**
 * A RECORD line written straight from the bytes of a COPY row: plain values (numbers, booleans,
 * strings with nothing to escape, UTC timestamps, dates, JSON documents, bytea, arrays of numbers)
 * are copied or rewritten byte by byte into the output, everything else goes through the column's
 * converter as text. A byte form is used for a column only if it gives exactly what the converter
 * gives on sample values (checked when the writer is built), and falls back to the converter for
 * any value not in its plain form, so both paths always write the same line. Pure (writes into a
 * buffer).
 */
import type { CopyRowScanner } from '../postgres/copy/copy-row-scanner.js';
import type { LineBuffer } from '../singer/line-buffer.js';
import type { PgColumnType, ValueConverter } from '../values/index.js';
import { copyByteForm, FORM_GROWTH } from './copy-value-bytes.js';
import { put, type ByteForm } from './logical/value-bytes.js';
import type { RecordParts } from './logical/record-bytes.js';

const NULL_BYTES = Buffer.from('null');
const BACKSLASH = 0x5c;
const LETTER_N = 0x4e;

/** A column's converter threw on its value: which column, and why. */
export class ConversionFailed extends Error {
  constructor(readonly column: number, override readonly cause: unknown) {
    super(`converting column ${column + 1}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ConversionFailed';
  }
}

export class CopyRecordBytes {
  private readonly prefix: Buffer;
  private readonly keyPrefixes: Buffer[];
  private suffix: Buffer;
  private readonly forms: (ByteForm | null)[];
  /** The keys' bytes, and with the prefix and suffix what every line writes whatever its values. */
  private readonly keyBytes: number;
  private fixedBytes: number;

  /**
   * `converterKeys[i]`, when given, names what decides converter i (LiveColumns.converterKeys).
   * `utf8`: whether the text is valid UTF-8 (a SQL_ASCII database passes any bytes through, so its
   * strings go through the converters, which read them as the rest of the tap does).
   */
  constructor(parts: RecordParts, types: readonly PgColumnType[], private readonly converters: readonly ValueConverter[], converterKeys?: readonly string[], utf8 = true) {
    this.prefix = Buffer.from(parts.prefix);
    this.keyPrefixes = parts.keyPrefixes.map((key) => Buffer.from(key));
    this.suffix = Buffer.from(parts.suffix);
    this.forms = types.map((type, i) => copyByteForm(type, converters[i] as ValueConverter, converterKeys?.[i], utf8));
    this.keyBytes = this.keyPrefixes.reduce((sum, key) => sum + key.length, 0);
    this.fixedBytes = this.prefix.length + this.keyBytes + this.suffix.length;
  }

  setSuffix(suffix: string): void {
    this.suffix = Buffer.from(suffix);
    this.fixedBytes = this.prefix.length + this.keyBytes + this.suffix.length;
  }

  /** Writes the line of the scanner's current row, which has one field per column. */
  write(row: CopyRowScanner, out: LineBuffer): void {
    const { data, starts, ends } = row;
    const width = this.forms.length;
    // Room for the whole line at once: its constant parts and what the byte forms write (at most
    // twice their field plus FORM_GROWTH). A converter's text makes its own room, and the room for
    // the rest is made again after it. Room not used costs address space, not memory.
    const rowBytes = width === 0 ? 0 : (ends[width - 1] as number) - (starts[0] as number);
    const room = this.fixedBytes + 2 * rowBytes + FORM_GROWTH * width;
    out.room(room);
    put(out, this.prefix);
    for (let i = 0; i < width; i++) {
      put(out, this.keyPrefixes[i] as Buffer);
      const start = starts[i] as number;
      const end = ends[i] as number;
      if (end - start === 2 && data[start] === BACKSLASH && data[start + 1] === LETTER_N) {
        put(out, NULL_BYTES);
        continue;
      }
      const form = this.forms[i];
      const at = out.pos;
      if (form?.(data, start, end, out)) continue;
      out.pos = at;
      let fragment: string;
      try {
        fragment = (this.converters[i] as ValueConverter)(row.fieldText(i));
      } catch (error) {
        throw new ConversionFailed(i, error);
      }
      out.text(fragment);
      out.room(room);
    }
    put(out, this.suffix);
  }
}
