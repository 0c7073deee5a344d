/**
 * Finds the rows of COPY ... TO STDOUT text output in the bytes as they arrive, without decoding
 * them: for each row, where each field starts and ends in a buffer. Writers copy plain values
 * straight from those bytes; anything else is read as text (`fieldText`, `row`). Pull-based: feed
 * a chunk, then call next() until it returns false. Pure: no I/O.
 *
 * A raw 0x0A always ends a row and a raw 0x09 always ends a field: COPY escapes both inside
 * values, and UTF-8 never uses them inside a character. A row cut by a chunk's end is kept as a
 * list of copied pieces and joined once when its end arrives; a row growing past `maxRowBytes`
 * stops the read with RowTooLarge before it can exhaust memory.
 */
import { unescapeField } from './unescape-field.js';

export type CopyRow = (string | null)[];

/**
 * The longest COPY text row read, 512 MiB: V8 strings end just above it (2^29 - 24 characters),
 * so a longer row could never become the strings a record is made of.
 */
export const MAX_ROW_BYTES = 512 * 1024 * 1024;

/** A row grew past the parser's limit; `column` is the 0-based field it was in when it did. */
export class RowTooLarge extends Error {
  constructor(readonly column: number, readonly bytes: number, readonly limit: number) {
    super(`a COPY row grew past ${limit} bytes in field ${column + 1}`);
    this.name = 'RowTooLarge';
  }
}

const NEWLINE = 0x0a;
const TAB = 0x09;
const BACKSLASH = 0x5c;
const LETTER_N = 0x4e;

export class CopyRowScanner {
  /** The buffer holding the current row. */
  data: Buffer = Buffer.alloc(0);
  /** Field i of the current row is data[starts[i], ends[i]). */
  starts: Int32Array;
  ends: Int32Array;
  /** Where a row is split before it is known to be complete: a cut row must not touch the current one. */
  private nextStarts: Int32Array;
  private nextEnds: Int32Array;
  /** How many fields the current row has (COPY writes one per selected column). */
  fields = 0;

  private chunk: Buffer = Buffer.alloc(0);
  private at = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The last tab search: in which buffer, and where it found one (-1: none to the buffer's end). */
  private tabData: Buffer | null = null;
  private tabAt = -1;

  constructor(width: number, private readonly maxRowBytes = MAX_ROW_BYTES) {
    // One more slot than the columns, so a malformed row with extra fields is seen, not overrun.
    this.starts = new Int32Array(width + 1);
    this.ends = new Int32Array(width + 1);
    this.nextStarts = new Int32Array(width + 1);
    this.nextEnds = new Int32Array(width + 1);
  }

  /** The next chunk of COPY output; the previous one must have been read to its end. */
  feed(chunk: Buffer): void {
    this.chunk = chunk;
    this.at = 0;
    this.tabData = null;
  }

  /**
   * Moves to the next complete row of what was fed (true), or keeps the unfinished rest for the
   * next chunk (false). The current row stays readable until the next call that returns true.
   */
  next(): boolean {
    const chunk = this.chunk;
    if (this.pendingBytes > 0) {
      const end = chunk.indexOf(NEWLINE, this.at);
      if (end === -1) {
        this.keep(chunk.subarray(this.at));
        this.at = chunk.length;
        return false;
      }
      this.checkSize(chunk.subarray(this.at, end));
      this.pending.push(chunk.subarray(this.at, end));
      const row = Buffer.concat(this.pending, this.pendingBytes + end - this.at);
      this.pending = [];
      this.pendingBytes = 0;
      this.at = end + 1;
      this.split(row, 0, row.length);
      return true;
    }
    const length = chunk.length;
    if (this.at >= length) return false;
    const end = this.split(chunk, this.at, length);
    if (end === -1) {
      this.keep(chunk.subarray(this.at));
      this.at = length;
      return false;
    }
    this.at = end + 1;
    return true;
  }

  /** Throws if the output ended inside a row: a truncated COPY must never look complete. */
  end(): void {
    if (this.pendingBytes > 0 || this.at < this.chunk.length) throw new Error('COPY output ended in the middle of a row');
  }

  /** Whether field i is NULL (`\N`). */
  isNull(i: number): boolean {
    const start = this.starts[i] as number;
    return (this.ends[i] as number) - start === 2 && this.data[start] === BACKSLASH && this.data[start + 1] === LETTER_N;
  }

  /** Field i's value as text, escapes undone (not for a NULL field). */
  fieldText(i: number): string {
    const text = this.data.toString('utf8', this.starts[i], this.ends[i]);
    return text.indexOf('\\') === -1 ? text : unescapeField(text);
  }

  /**
   * The current row as texts (null for NULL). `only`: the fields to read, the others left null (a
   * bookmark reads its key; a 64 MiB value beside it should not become two strings to be thrown away).
   */
  row(only?: readonly number[]): CopyRow {
    const row: CopyRow = new Array<string | null>(this.fields).fill(null);
    if (only === undefined) {
      for (let i = 0; i < this.fields; i++) row[i] = this.isNull(i) ? null : this.fieldText(i);
    } else {
      for (const i of only) if (i >= 0 && i < this.fields && !this.isNull(i)) row[i] = this.fieldText(i);
    }
    return row;
  }

  /**
   * Records the fields of the row starting at `from` in `data` and makes it current; returns the
   * index of its newline, or -1 (nothing recorded) if `data` ends before one. `data` ending at
   * `limit` without a newline is a whole row (a joined row, its newline already cut off).
   */
  private split(data: Buffer, from: number, limit: number): number {
    // Native searches (memchr) for the row's end and then each tab: twice as fast as a loop over
    // every byte in JavaScript.
    let end = data.indexOf(NEWLINE, from);
    if (end === -1 || end >= limit) {
      if (data === this.chunk) return -1;
      end = limit;
    }
    const starts = this.nextStarts;
    const ends = this.nextEnds;
    const slots = starts.length;
    let field = 0;
    let start = from;
    for (let tab = this.tabFrom(data, start); tab !== -1 && tab < end; tab = this.tabFrom(data, start)) {
      if (field < slots) {
        starts[field] = start;
        ends[field] = tab;
      }
      field++;
      start = tab + 1;
    }
    if (field < slots) {
      starts[field] = start;
      ends[field] = end;
    }
    this.fields = Math.min(field + 1, slots);
    this.data = data;
    this.nextStarts = this.starts;
    this.nextEnds = this.ends;
    this.starts = starts;
    this.ends = ends;
    return end;
  }

  /**
   * The first tab at or after `from` in `data`. A search that ran past the row's end is kept for
   * the rows after it: rows with no tab (one column) would otherwise each search to the chunk's end.
   */
  private tabFrom(data: Buffer, from: number): number {
    if (data === this.tabData && (this.tabAt === -1 || this.tabAt >= from)) return this.tabAt;
    this.tabData = data;
    this.tabAt = data.indexOf(TAB, from);
    return this.tabAt;
  }

  /** The chunk's tail, copied: the stream may hand the same memory out again. */
  private keep(tail: Buffer): void {
    this.checkSize(tail);
    this.pending.push(Buffer.from(tail));
    this.pendingBytes += tail.length;
  }

  /** Throws RowTooLarge if `piece` takes the unfinished row past the limit, naming the field it was in then. */
  private checkSize(piece: Buffer): void {
    const bytes = this.pendingBytes + piece.length;
    if (bytes <= this.maxRowBytes) return;
    let tabs = 0;
    const count = (part: Buffer): void => {
      for (let at = part.indexOf(TAB); at !== -1; at = part.indexOf(TAB, at + 1)) tabs++;
    };
    for (const part of this.pending) count(part);
    count(piece.subarray(0, this.maxRowBytes - this.pendingBytes));
    throw new RowTooLarge(tabs, bytes, this.maxRowBytes);
  }
}
