import { readQuoted } from './read-quoted.js';
import type { ValueConverter } from './value-converter.js';

const CHAR_QUOTE = 34;
const CHAR_BACKSLASH = 92;
const CHAR_LBRACKET = 91;
const CHAR_LBRACE = 123;
const CHAR_RBRACE = 125;

/**
 * A converter from PostgreSQL array literal text to a JSON array fragment whose elements go through
 * `element` (the element type's own converter), for any number of dimensions:
 *   '{1,2,3}' → [1,2,3]     '{{1,2},{3,4}}' → [[1,2],[3,4]]     '{}' → []
 *   '{NULL,"NULL","a b","c\"d"}' → [null,"NULL","a b","c\"d"]   (only an unquoted NULL is SQL null)
 *   '[0:1]={1,2}' → [1,2]   (explicit lower bounds are dropped: JSON arrays start at 0)
 * `delimiter` is the element type's typdelim: ',' for every built-in type except box (';').
 * Malformed text (never produced by PostgreSQL) throws.
 */
export function arrayConverter(element: ValueConverter, delimiter = ','): ValueConverter {
  const delimiterCode = delimiter.charCodeAt(0);
  return (text: string): string => {
    // '[1:2][0:1]={{...}}': skip the dimension decoration up to the '='.
    const start = text.charCodeAt(0) === CHAR_LBRACKET ? text.indexOf('=') + 1 : 0;
    const reader = new ArrayLiteralReader(text, start, delimiterCode, element);
    const json = reader.readArray();
    if (reader.position !== text.length) throw malformed(text);
    return json;
  };
}

class ArrayLiteralReader {
  position: number;

  constructor(
    private readonly text: string,
    start: number,
    private readonly delimiter: number,
    private readonly element: ValueConverter,
  ) {
    this.position = start;
  }

  /** Reads '{...}' at the position; leaves the position after the '}'. */
  readArray(): string {
    const text = this.text;
    if (text.charCodeAt(this.position) !== CHAR_LBRACE) throw malformed(text);
    this.position++;
    if (text.charCodeAt(this.position) === CHAR_RBRACE) {
      this.position++;
      return '[]';
    }
    let json = '[';
    for (;;) {
      const code = text.charCodeAt(this.position);
      if (code === CHAR_LBRACE) json += this.readArray();
      else if (code === CHAR_QUOTE) json += this.element(this.readQuoted());
      else json += this.readUnquoted();
      const next = text.charCodeAt(this.position++);
      if (next === CHAR_RBRACE) return json + ']';
      if (next !== this.delimiter) throw malformed(text);
      json += ',';
    }
  }

  /** Reads '"..."' with backslash escapes; the result is never SQL null. */
  private readQuoted(): string {
    const read = readQuoted(this.text, this.position + 1);
    if (read === null) throw malformed(this.text);
    this.position = read.end;
    return read.value;
  }

  /** Reads an unquoted element up to the delimiter or '}'; NULL (any case) is SQL null. */
  private readUnquoted(): string {
    const text = this.text;
    const start = this.position;
    let i = start;
    let escaped = false;
    for (; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === this.delimiter || code === CHAR_RBRACE) break;
      if (code === CHAR_BACKSLASH) {
        escaped = true;
        i++;
      }
    }
    if (i === start || i >= text.length) throw malformed(text);
    this.position = i;
    const raw = text.slice(start, i);
    if (escaped) return this.element(raw.replace(/\\(.)/gs, '$1'));
    if (raw.length === 4 && raw.toUpperCase() === 'NULL') return 'null';
    return this.element(raw);
  }
}

/** The message names the length, not the content: row values do not belong in logs. */
function malformed(text: string): Error {
  return new Error(`malformed PostgreSQL array literal (${text.length} characters)`);
}
