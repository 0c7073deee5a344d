import { readQuoted } from './read-quoted.js';
import { jsonString } from './json-string.js';

const CHAR_QUOTE = 34;
const CHAR_COMMA = 44;
const CHAR_SPACE = 32;
const CHAR_EQUALS = 61;
const CHAR_GREATER = 62;
const CHAR_N = 78;

/**
 * hstore text → JSON object of string (or null) values. hstore_out always quotes keys and values,
 * backslash-escapes '"' and '\' inside them, writes a NULL value as bare NULL and separates pairs
 * with ', ':   '"a"=>"1", "b\"c"=>NULL' → {"a":"1","b\"c":null}.   '' (empty hstore) → {}.
 * Keys are unique in an hstore, so the object has no duplicate names.
 */
export function hstoreToJson(text: string): string {
  if (text.length === 0) return '{}';
  const reader = new HstoreReader(text);
  let json = '{';
  for (;;) {
    json += jsonString(reader.readQuoted()) + ':';
    reader.expect(CHAR_EQUALS);
    reader.expect(CHAR_GREATER);
    json += reader.atNull() ? 'null' : jsonString(reader.readQuoted());
    if (reader.position === text.length) return json + '}';
    reader.expect(CHAR_COMMA);
    reader.expect(CHAR_SPACE);
    json += ',';
  }
}

class HstoreReader {
  position = 0;

  constructor(private readonly text: string) {}

  expect(code: number): void {
    if (this.text.charCodeAt(this.position) !== code) throw malformed(this.text);
    this.position++;
  }

  /** A bare NULL value (a quoted "NULL" is the string). */
  atNull(): boolean {
    if (this.text.charCodeAt(this.position) !== CHAR_N || !this.text.startsWith('NULL', this.position)) return false;
    this.position += 4;
    return true;
  }

  /** '"..."' with backslash escapes, position left after the closing quote. */
  readQuoted(): string {
    this.expect(CHAR_QUOTE);
    const read = readQuoted(this.text, this.position);
    if (read === null) throw malformed(this.text);
    this.position = read.end;
    return read.value;
  }
}

/** The message names the length, not the content: row values do not belong in logs. */
function malformed(text: string): Error {
  return new Error(`malformed hstore text (${text.length} characters)`);
}
