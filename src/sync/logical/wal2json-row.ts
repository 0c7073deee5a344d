/**
 * The per-change fast path of wal2json format-version 2 (with include-types off): a row change's
 * "columns" and "identity" arrays read straight into the slots of a known column list, as raw
 * JSON tokens cut out of the document. Nothing is unescaped or re-escaped here, no object is
 * built per column, and a table's column order is learned from its first change, so a column
 * costs one prefix comparison and one scan of its value. Anything unexpected (another key, a
 * name with an escape, a malformed token) returns -1 and the caller falls back to the general
 * decoder in wal2json-message.ts. Pure apart from the learned order, which only speeds it up.
 */

/**
 * A value as it appears in the document: a JSON string literal with its quotes ('"2024-01-01"'),
 * or a bare token ('12.50', 'true'). null is SQL NULL; undefined a column the change does not
 * carry (an unchanged TOASTed value, or one not in the array at all).
 */
export type RowToken = string | null | undefined;

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const ACTION_KEY = '{"action":"';
const COLON = 58;
const LETTER_N = 110;
const LETTER_V = 118;
const NAME_KEY = '{"name":"';
/** `","value":` after a column name. */
const VALUE_KEY_LENGTH = 10;

/** The first character of the action ('I', 'U', 'D', 'B', 'C', 'T', 'M'), or 0 for another layout. */
export function changeAction(text: string): number {
  return matchesAt(text, 0, ACTION_KEY) && text.charCodeAt(12) === QUOTE ? text.charCodeAt(11) : 0;
}

/**
 * Whether `text` holds `expected` at `at`. A charCodeAt loop, because V8 compiles it inline while
 * String.prototype.startsWith with a position costs about 10 ns per character.
 */
export function matchesAt(text: string, at: number, expected: string): boolean {
  const length = expected.length;
  if (at + length > text.length) return false;
  for (let j = 0; j < length; j++) if (text.charCodeAt(at + j) !== expected.charCodeAt(j)) return false;
  return true;
}

/**
 * `schema","table":"name` exactly as wal2json writes them (JSON-escaped, which for valid UTF-8
 * is what JSON.stringify writes), the key the fast path finds a row change's stream by.
 */
export function tableKey(schema: string, table: string): string {
  return `${JSON.stringify(schema).slice(1, -1)}","table":"${JSON.stringify(table).slice(1, -1)}`;
}

/**
 * Finds `,"schema":"…","table":"…",` after the header: `key` is the table key and `next` the index
 * of the key that follows ("columns" or "identity"). The last key is remembered, so a run of
 * changes to one table costs a comparison, not a new string per change.
 */
export class TableKeyReader {
  key = '';
  next = 0;
  /** `key` followed by the `",` that ends the table name. */
  private delimited = '';

  /** False when the document has no table names where expected, or they hold escapes. */
  read(text: string): boolean {
    const at = text.indexOf(',"schema":"', 13);
    if (at === -1) return false;
    const start = at + 11;
    if (this.delimited !== '' && matchesAt(text, start, this.delimited)) {
      this.next = start + this.delimited.length;
      return true;
    }
    const tableAt = text.indexOf('","table":"', start);
    if (tableAt === -1) return false;
    const end = text.indexOf('",', tableAt + 11);
    if (end === -1) return false;
    const key = text.slice(start, end);
    if (key.indexOf('\\') !== -1) return false;
    this.key = key;
    this.delimited = `${key}",`;
    this.next = end + 2;
    return true;
  }
}

/** The PostgreSQL text of a token: a string literal unescaped, true/false as 't'/'f', a number verbatim. */
export function tokenText(token: string): string {
  if (token.charCodeAt(0) === QUOTE) return token.indexOf('\\') === -1 ? token.slice(1, -1) : (JSON.parse(token) as string);
  if (token === 'true') return 't';
  if (token === 'false') return 'f';
  return token;
}

export class Wal2JsonRowReader {
  private readonly slotOf: Map<string, number>;
  /** Learned from earlier changes: the column name at each array position and its slot (-1: not selected). */
  private readonly learned: string[] = [];
  private readonly slots: number[] = [];

  constructor(readonly names: readonly string[]) {
    this.slotOf = new Map(names.map((name, index) => [name, index]));
  }

  /**
   * Reads `"<key>":[…]` at `pos` into `into` (which the caller filled with undefined). Returns
   * the index after the array, or -1 when the text is not in the expected shape.
   */
  readArray(text: string, pos: number, key: string, into: RowToken[]): number {
    if (!matchesAt(text, pos, key)) return -1;
    let i = pos + key.length;
    if (text.charCodeAt(i) !== OPEN_BRACKET) return -1;
    i++;
    if (text.charCodeAt(i) === CLOSE_BRACKET) return i + 1;
    for (let position = 0; ; position++) {
      // `{"name":"<name>","value":` — the name is compared, and enough of the rest to be sure
      // that "value" follows it (wal2json writes "type" there when include-types is on).
      if (text.charCodeAt(i) !== OPEN_BRACE || text.charCodeAt(i + 2) !== LETTER_N || text.charCodeAt(i + 7) !== COLON) return -1;
      const nameStart = i + NAME_KEY.length;
      let name = this.learned[position];
      let slot: number;
      if (name !== undefined && matchesAt(text, nameStart, name) && text.charCodeAt(nameStart + name.length) === QUOTE) {
        slot = this.slots[position] as number;
      } else {
        // A position not seen before (the first change, or the table gained or lost a column).
        const nameEnd = text.indexOf('"', nameStart);
        if (nameEnd === -1) return -1;
        name = text.slice(nameStart, nameEnd);
        if (name.indexOf('\\') !== -1) return -1;
        slot = this.slotOf.get(name) ?? -1;
        this.learned[position] = name;
        this.slots[position] = slot;
      }
      const afterName = nameStart + name.length;
      if (text.charCodeAt(afterName + 3) !== LETTER_V || text.charCodeAt(afterName + 9) !== COLON) return -1;
      i = afterName + VALUE_KEY_LENGTH;
      const end = tokenEnd(text, i);
      if (end === -1) return -1;
      if (slot !== -1) into[slot] = end - i === 4 && text.charCodeAt(i) === LETTER_N ? null : text.slice(i, end);
      i = end + 1;
      const next = text.charCodeAt(i);
      if (next === CLOSE_BRACKET) return i + 1;
      if (next !== COMMA) return -1;
      i++;
    }
  }
}

/** The index of the '}' that closes the column object whose value token starts at `i`, or -1. */
function tokenEnd(text: string, i: number): number {
  if (text.charCodeAt(i) === QUOTE) {
    let end = text.indexOf('"', i + 1);
    while (end !== -1) {
      let backslashes = 0;
      for (let j = end - 1; text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
      if ((backslashes & 1) === 0) return text.charCodeAt(end + 1) === CLOSE_BRACE ? end + 1 : -1;
      end = text.indexOf('"', end + 1);
    }
    return -1;
  }
  // A bare number, true, false or null: it ends at the brace (no key may follow the value).
  const end = text.indexOf('}', i);
  return end <= i || text.lastIndexOf(',', end) > i ? -1 : end;
}
