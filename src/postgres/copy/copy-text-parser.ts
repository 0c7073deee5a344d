/**
 * Parses COPY ... TO STDOUT text format: one row per line, columns split by tab, `\N` for NULL,
 * backslash escapes for tab, newline and friends. Chunks may end anywhere, even inside a UTF-8
 * character; the tail is kept for the next chunk. Pure: no I/O.
 */
import { StringDecoder } from 'node:string_decoder';

export type CopyRow = (string | null)[];

export class CopyTextParser {
  private readonly decoder = new StringDecoder('utf8');
  private tail = '';

  /** Calls `onRow` for each complete row in `chunk`; returns how many rows it found. */
  push(chunk: Buffer, onRow: (row: CopyRow) => void): number {
    const text = this.tail + this.decoder.write(chunk);
    let start = 0;
    let rows = 0;
    let end = text.indexOf('\n', start);
    while (end !== -1) {
      onRow(parseLine(text.slice(start, end)));
      rows++;
      start = end + 1;
      end = text.indexOf('\n', start);
    }
    this.tail = text.slice(start);
    return rows;
  }

  /** Throws if the stream ended inside a row: a truncated COPY must never look complete. */
  end(): void {
    const rest = this.tail + this.decoder.end();
    if (rest !== '') throw new Error('COPY output ended in the middle of a row');
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

/** Undoes COPY's backslash escaping; octal and hex escapes are decoded as bytes, then as UTF-8. */
export function unescapeField(field: string): string {
  let out = '';
  let bytes: number[] | null = null;
  let i = 0;
  while (i < field.length) {
    const ch = field[i] as string;
    if (ch !== '\\' || i + 1 >= field.length) {
      if (bytes !== null) { out += Buffer.from(bytes).toString('utf8'); bytes = null; }
      out += ch;
      i++;
      continue;
    }
    const next = field[i + 1] as string;
    const octal = /^[0-7]{1,3}/.exec(field.slice(i + 1, i + 4));
    const hex = next === 'x' ? /^[0-9a-fA-F]{1,2}/.exec(field.slice(i + 2, i + 4)) : null;
    if (octal !== null || hex !== null) {
      bytes ??= [];
      bytes.push(octal !== null ? parseInt(octal[0], 8) & 0xff : parseInt((hex as RegExpExecArray)[0], 16));
      i += 1 + (octal !== null ? octal[0].length : 1 + (hex as RegExpExecArray)[0].length);
      continue;
    }
    if (bytes !== null) { out += Buffer.from(bytes).toString('utf8'); bytes = null; }
    out += SIMPLE_ESCAPES[next] ?? next;
    i += 2;
  }
  if (bytes !== null) out += Buffer.from(bytes).toString('utf8');
  return out;
}
