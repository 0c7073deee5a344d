/**
 * The per-change fast path of wal2json format-version 2 (with include-types off), on the bytes of
 * the message as they came from the socket: a row change's "columns" and "identity" arrays are read
 * into the slots of a known column list as the byte ranges of their raw JSON tokens. Nothing is
 * decoded, unescaped or copied here, and a table's column order is learned from its first change,
 * so a column costs one name comparison and one scan of its value. Anything unexpected (another
 * key, a name with an escape, a malformed token) returns -1 and the caller falls back to the
 * general decoder in wal2json-message.ts. Pure apart from the learned order, which only speeds it up.
 */
import { decodeUtf8, type TextDecode } from '../../postgres/catalog/server-encoding.js';


/**
 * A value as text, as it appears in the document: a JSON string literal with its quotes
 * ('"2024-01-01"'), or a bare token ('12.50', 'true'). null is SQL NULL; undefined a column the
 * change does not carry (an unchanged TOASTed value, or one not in the array at all).
 */
export type RowToken = string | null | undefined;

/** Where each selected column's token lies in the message: [starts[i], ends[i]); starts[i] is -1 when the change does not carry it. */
export class RowSlots {
  readonly starts: Int32Array;
  readonly ends: Int32Array;

  constructor(width: number) {
    this.starts = new Int32Array(width);
    this.ends = new Int32Array(width);
  }

  clear(): void {
    this.starts.fill(-1);
  }

  /** The tokens as text (the general formatter's input), for deletes and tests. */
  tokens(data: Buffer, decode: TextDecode = decodeUtf8): RowToken[] {
    return Array.from(this.starts, (start, i) => {
      if (start === -1) return undefined;
      const end = this.ends[i] as number;
      return isNullToken(data, start, end) ? null : decode(data, start, end);
    });
  }
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COLON = 58;
const LETTER_N = 110;
const LETTER_V = 118;
const ACTION_KEY = Buffer.from('{"action":"');
const SCHEMA_KEY = Buffer.from(',"schema":"');
const TABLE_KEY = Buffer.from('","table":"');
const NAME_KEY_LENGTH = '{"name":"'.length;
/** `","value":` after a column name. */
const VALUE_KEY_LENGTH = 10;
export const COLUMNS_KEY = Buffer.from('"columns":');
export const IDENTITY_KEY = Buffer.from('"identity":');


/** The action letter ('I', 'U', 'D', 'B', 'C', 'T', 'M') of the document at `start`, or 0 for another layout. */
export function changeAction(data: Buffer, start: number): number {
  return matchesAt(data, start, ACTION_KEY) && data[start + 12] === QUOTE ? (data[start + 11] as number) : 0;
}

/** Whether `data` holds `expected` at `at`. A loop, because for a few bytes it beats any call into C++. */
export function matchesAt(data: Buffer, at: number, expected: Uint8Array): boolean {
  const length = expected.length;
  if (at + length > data.length) return false;
  for (let j = 0; j < length; j++) if (data[at + j] !== expected[j]) return false;
  return true;
}

export function isNullToken(data: Buffer, start: number, end: number): boolean {
  return end - start === 4 && data[start] === LETTER_N;
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
 * changes to one table costs a comparison, not a string per change.
 */
export class TableKeyReader {
  key = '';
  next = 0;
  /** `key` followed by the `",` that ends the table name. */
  private delimited: Uint8Array = new Uint8Array(0);

  constructor(private readonly decode: TextDecode = decodeUtf8) {}

  /** False when the document has no table names where expected, or they hold escapes. */
  read(data: Buffer, start: number): boolean {
    const at = data.indexOf(SCHEMA_KEY, start + 13);
    if (at === -1) return false;
    const keyStart = at + SCHEMA_KEY.length;
    if (this.delimited.length > 0 && matchesAt(data, keyStart, this.delimited)) {
      this.next = keyStart + this.delimited.length;
      return true;
    }
    const tableAt = data.indexOf(TABLE_KEY, keyStart);
    if (tableAt === -1) return false;
    let end = tableAt + TABLE_KEY.length;
    while (end < data.length && data[end] !== QUOTE) end++;
    if (data[end + 1] !== COMMA) return false;
    if (data.subarray(keyStart, end).includes(BACKSLASH)) return false;
    this.key = this.decode(data, keyStart, end);
    this.delimited = Uint8Array.from(data.subarray(keyStart, end + 2));
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
  /** Learned from earlier changes: the column name (UTF-8) at each array position and its slot (-1: not selected). */
  private readonly learned: Uint8Array[] = [];
  private readonly slots: number[] = [];

  constructor(
    readonly names: readonly string[],
    private readonly decode: TextDecode = decodeUtf8,
    /** Column names the stream knows; a change naming another goes to the general path (the table changed). */
    private readonly known: ReadonlySet<string> | null = null,
  ) {
    this.slotOf = new Map(names.map((name, index) => [name, index]));
  }

  /**
   * Reads `"<key>":[…]` at `pos` into `into` (which the caller cleared). Returns the index after
   * the array, or -1 when the document is not in the expected shape.
   */
  readArray(data: Buffer, pos: number, key: Uint8Array, into: RowSlots): number {
    if (!matchesAt(data, pos, key)) return -1;
    let i = pos + key.length;
    if (data[i] !== OPEN_BRACKET) return -1;
    i++;
    if (data[i] === CLOSE_BRACKET) return i + 1;
    for (let position = 0; ; position++) {
      // `{"name":"<name>","value":` — the name is compared, and enough of the rest to be sure
      // that "value" follows it (wal2json writes "type" there when include-types is on).
      if (data[i] !== OPEN_BRACE || data[i + 2] !== LETTER_N || data[i + 7] !== COLON) return -1;
      const nameStart = i + NAME_KEY_LENGTH;
      let name = this.learned[position];
      let slot: number;
      if (name !== undefined && matchesAt(data, nameStart, name) && data[nameStart + name.length] === QUOTE) {
        slot = this.slots[position] as number;
      } else {
        // A position not seen before (the first change, or the table gained or lost a column).
        const nameEnd = data.indexOf(QUOTE, nameStart);
        if (nameEnd === -1) return -1;
        name = Uint8Array.from(data.subarray(nameStart, nameEnd));
        if (name.includes(BACKSLASH)) return -1;
        const text = this.decode(data, nameStart, nameEnd);
        if (this.known !== null && !this.known.has(text) && !this.slotOf.has(text)) return -1;
        slot = this.slotOf.get(text) ?? -1;
        this.learned[position] = name;
        this.slots[position] = slot;
      }
      const afterName = nameStart + name.length;
      if (data[afterName + 3] !== LETTER_V || data[afterName + 9] !== COLON) return -1;
      i = afterName + VALUE_KEY_LENGTH;
      const end = tokenEnd(data, i);
      if (end === -1) return -1;
      if (slot !== -1) {
        into.starts[slot] = i;
        into.ends[slot] = end;
      }
      i = end + 1;
      const next = data[i];
      if (next === CLOSE_BRACKET) return i + 1;
      if (next !== COMMA) return -1;
      i++;
    }
  }
}

/** The end of the value token that starts at `i` (the index of the '}' that closes its column object), or -1. */
function tokenEnd(data: Buffer, i: number): number {
  const length = data.length;
  if (data[i] === QUOTE) {
    for (let j = i + 1; j < length; j++) {
      const byte = data[j];
      if (byte === BACKSLASH) j++;
      else if (byte === QUOTE) return data[j + 1] === CLOSE_BRACE ? j + 1 : -1;
    }
    return -1;
  }
  // A bare number, true, false or null: it ends at the brace (no key may follow the value).
  for (let j = i; j < length; j++) {
    const byte = data[j];
    if (byte === CLOSE_BRACE) return j > i ? j : -1;
    if (byte === COMMA || byte === QUOTE) return -1;
  }
  return -1;
}
