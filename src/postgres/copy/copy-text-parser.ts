/**
 * Parses COPY ... TO STDOUT text format: one row per line, columns split by tab, `\N` for NULL,
 * backslash escapes for tab, newline and friends. Chunks may end anywhere, even inside a UTF-8
 * character. Pure: no I/O.
 *
 * Linear in the row size whatever the chunking: a row's end is looked for only in the bytes that
 * just arrived (a raw 0x0A is always a row end: COPY escapes newlines in values, and UTF-8 never
 * uses 0x0A inside a character), the unfinished row is kept as a list of chunks and decoded once
 * when it is complete, the whole rows of a chunk are decoded in one call, and escapes are undone
 * run by run, not character by character. A row
 * longer than `maxRowBytes` stops the parse with RowTooLarge before it can exhaust memory.
 */

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

export class CopyTextParser {
  /** The unfinished row: copies of the chunks' tails since the last row end. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxRowBytes = MAX_ROW_BYTES) {}

  /** Calls `onRow` for each complete row in `chunk`; returns how many rows it found. */
  push(chunk: Buffer, onRow: (row: CopyRow) => void): number {
    const first = chunk.indexOf(NEWLINE);
    if (first === -1) {
      this.keep(chunk);
      return 0;
    }
    let rows = 0;
    let start = 0;
    if (this.pendingBytes > 0) {
      onRow(parseLine(this.finishLine(chunk.subarray(0, first))));
      rows++;
      start = first + 1;
    }
    // The whole rows of the chunk are decoded at once: one string, then split on its newlines.
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) {
      const text = chunk.toString('utf8', start, last);
      let from = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) {
        onRow(parseLine(text.slice(from, end)));
        rows++;
        from = end + 1;
      }
      onRow(parseLine(from === 0 ? text : text.slice(from)));
      rows++;
    }
    if (last + 1 < chunk.length) this.keep(chunk.subarray(last + 1));
    return rows;
  }

  /** Throws if the stream ended inside a row: a truncated COPY must never look complete. */
  end(): void {
    if (this.pendingBytes > 0) throw new Error('COPY output ended in the middle of a row');
  }

  /** The unfinished row completed by `end`, the bytes before the next newline. */
  private finishLine(end: Buffer): string {
    this.checkSize(end.length);
    this.pending.push(end);
    const line = Buffer.concat(this.pending, this.pendingBytes + end.length).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }

  /** The chunk's tail, copied: the stream may hand the same memory out again. */
  private keep(tail: Buffer): void {
    this.checkSize(tail.length);
    this.pending.push(Buffer.from(tail));
    this.pendingBytes += tail.length;
  }

  private checkSize(more: number): void {
    const bytes = this.pendingBytes + more;
    if (bytes <= this.maxRowBytes) return;
    let tabs = 0;
    for (const part of this.pending) for (let at = part.indexOf(TAB); at !== -1; at = part.indexOf(TAB, at + 1)) tabs++;
    throw new RowTooLarge(tabs, bytes, this.maxRowBytes);
  }
}

export function parseLine(line: string): CopyRow {
  const fields: CopyRow = line.split('\t');
  // NULL (\N) and every escape contain a backslash: most lines have none and need no second look.
  if (line.indexOf('\\') === -1) return fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    if (field.length === 2 && field === '\\N') fields[i] = null;
    else if (field.indexOf('\\') !== -1) fields[i] = unescapeField(field);
  }
  return fields;
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

const isOctal = (code: number): boolean => code >= 0x30 && code <= 0x37;
const isHex = (code: number): boolean => (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);

/**
 * Undoes COPY's backslash escaping; octal and hex escapes are bytes, decoded as UTF-8 together
 * (a character may be spelled as several of them). Text between escapes is copied as one slice,
 * so a 64 MB value with a few escapes (a bytea's `\\x…`) costs a few slices, not a string per character.
 */
export function unescapeField(field: string): string {
  const parts: string[] = [];
  let bytes: number[] | null = null;
  let run = 0;
  let i = field.indexOf('\\');
  while (i !== -1 && i + 1 < field.length) {
    if (i > run) {
      if (bytes !== null) { parts.push(Buffer.from(bytes).toString('utf8')); bytes = null; }
      parts.push(field.slice(run, i));
    }
    const next = field.charCodeAt(i + 1);
    let digits = 0;
    let byte = 0;
    if (isOctal(next)) {
      while (digits < 3 && isOctal(field.charCodeAt(i + 1 + digits))) byte = byte * 8 + field.charCodeAt(i + 1 + digits++) - 0x30;
      run = i + 1 + digits;
    } else if (next === 0x78 /* x */ && isHex(field.charCodeAt(i + 2))) {
      digits = isHex(field.charCodeAt(i + 3)) ? 2 : 1;
      byte = parseInt(field.slice(i + 2, i + 2 + digits), 16);
      run = i + 2 + digits;
    }
    if (digits > 0) {
      bytes ??= [];
      bytes.push(byte & 0xff);
    } else {
      if (bytes !== null) { parts.push(Buffer.from(bytes).toString('utf8')); bytes = null; }
      const letter = field[i + 1] as string;
      parts.push(SIMPLE_ESCAPES[letter] ?? letter);
      run = i + 2;
    }
    i = field.indexOf('\\', run);
  }
  if (bytes !== null && run < field.length) { parts.push(Buffer.from(bytes).toString('utf8')); bytes = null; }
  if (run < field.length) parts.push(field.slice(run));
  if (bytes !== null) parts.push(Buffer.from(bytes).toString('utf8'));
  return parts.join('');
}
