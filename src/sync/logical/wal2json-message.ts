/**
 * wal2json format-version 2: one JSON document per message. 'B'/'C' frame a transaction (with the
 * commit LSN in both, so a whole transaction can be skipped from its first message); 'I', 'U',
 * 'D' carry one row change; 'T' a truncate. Decoded by a single pass written for this format:
 * values keep PostgreSQL's exact text (wal2json before 2.6 prints bigint and numeric as bare JSON
 * numbers, which JSON.parse would round), and no object is built per column. Pure.
 */
import { Lsn } from '../../state/lsn.js';
import { Action } from './wal2json-action.js';
import type { ColumnText } from './change-writer.js';

/** A column as PostgreSQL's text of the value (null for SQL NULL); booleans are turned back into 't'/'f'. */
export type Wal2JsonColumn = ColumnText;

export type Wal2JsonMessage =
  | { action: typeof Action.Begin; commitLsn: Lsn; timestamp: string }
  | { action: typeof Action.Commit; commitLsn: Lsn; timestamp: string; endLsn: Lsn }
  | { action: typeof Action.Insert | typeof Action.Update | typeof Action.Delete; schema: string; table: string; columns: Wal2JsonColumn[]; identity: Wal2JsonColumn[] }
  | { action: typeof Action.Truncate; schema: string; table: string }
  | { action: typeof Action.Message };

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

class Scanner {
  i = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    let code = this.text.charCodeAt(this.i);
    while (code === 32 || code === 10 || code === 13 || code === 9) code = this.text.charCodeAt(++this.i);
  }

  expect(code: number): void {
    this.skipSpace();
    if (this.text.charCodeAt(this.i) !== code) throw new Error(`wal2json: expected '${String.fromCharCode(code)}' at ${this.i}`);
    this.i++;
  }

  /** Consumes ',' and returns true, or returns false at `close` (consumed). */
  next(close: number): boolean {
    this.skipSpace();
    const code = this.text.charCodeAt(this.i++);
    if (code === COMMA) return true;
    if (code === close) return false;
    throw new Error(`wal2json: unexpected character at ${this.i - 1}`);
  }

  string(): string {
    this.expect(QUOTE);
    const start = this.i;
    let end = this.text.indexOf('"', start);
    while (end !== -1) {
      let backslashes = 0;
      for (let j = end - 1; j >= start && this.text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
      if (backslashes % 2 === 0) break;
      end = this.text.indexOf('"', end + 1);
    }
    if (end === -1) throw new Error('wal2json: unterminated string');
    this.i = end + 1;
    const body = this.text.slice(start, end);
    return body.indexOf('\\') === -1 ? body : (JSON.parse(`"${body}"`) as string);
  }

  /** A column value as PostgreSQL text: strings unescaped, numbers verbatim, booleans 't'/'f'. */
  valueText(): string | null {
    this.skipSpace();
    const code = this.text.charCodeAt(this.i);
    if (code === QUOTE) return this.string();
    const start = this.i;
    while (this.i < this.text.length) {
      const c = this.text.charCodeAt(this.i);
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === 32) break;
      this.i++;
    }
    const token = this.text.slice(start, this.i);
    if (token === 'null') return null;
    if (token === 'true') return 't';
    if (token === 'false') return 'f';
    return token;
  }

  skipValue(): void {
    this.skipSpace();
    const code = this.text.charCodeAt(this.i);
    if (code === QUOTE) {
      this.string();
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      const close = code === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      this.i++;
      this.skipSpace();
      if (this.text.charCodeAt(this.i) === close) {
        this.i++;
        return;
      }
      do {
        if (close === CLOSE_BRACE) {
          this.string();
          this.expect(COLON);
        }
        this.skipValue();
      } while (this.next(close));
    } else {
      this.valueText();
    }
  }

  columns(): Wal2JsonColumn[] {
    const list: Wal2JsonColumn[] = [];
    this.expect(OPEN_BRACKET);
    this.skipSpace();
    if (this.text.charCodeAt(this.i) === CLOSE_BRACKET) {
      this.i++;
      return list;
    }
    do {
      this.expect(OPEN_BRACE);
      let name = '';
      let type = '';
      let text: string | null = null;
      do {
        const key = this.string();
        this.expect(COLON);
        if (key === 'name') name = this.string();
        else if (key === 'value') text = this.valueText();
        else if (key === 'type') type = this.string();
        else this.skipValue();
      } while (this.next(CLOSE_BRACE));
      // wal2json prints bytea without PostgreSQL's leading \x: put it back.
      list.push({ name, text: type === 'bytea' && text !== null ? `\\x${text}` : text });
    } while (this.next(CLOSE_BRACKET));
    return list;
  }
}

export function decodeWal2Json(text: string): Wal2JsonMessage {
  const scan = new Scanner(text);
  let action = '';
  let lsn = '';
  let nextLsn = '';
  let timestamp = '';
  let schema = '';
  let table = '';
  let columns: Wal2JsonColumn[] = [];
  let identity: Wal2JsonColumn[] = [];
  scan.expect(OPEN_BRACE);
  do {
    const key = scan.string();
    scan.expect(COLON);
    if (key === 'action') action = scan.string();
    else if (key === 'lsn') lsn = scan.string();
    else if (key === 'nextlsn') nextLsn = scan.string();
    else if (key === 'timestamp') timestamp = scan.string();
    else if (key === 'schema') schema = scan.string();
    else if (key === 'table') table = scan.string();
    else if (key === 'columns') columns = scan.columns();
    else if (key === 'identity') identity = scan.columns();
    else scan.skipValue();
  } while (scan.next(CLOSE_BRACE));
  switch (action) {
    case Action.Begin:
      return { action: Action.Begin, commitLsn: Lsn.parse(lsn), timestamp };
    case Action.Commit:
      return { action: Action.Commit, commitLsn: Lsn.parse(lsn), timestamp, endLsn: nextLsn === '' ? Lsn.parse(lsn) : Lsn.parse(nextLsn) };
    case Action.Insert:
    case Action.Update:
    case Action.Delete:
      return { action, schema, table, columns, identity };
    case Action.Truncate:
      return { action: Action.Truncate, schema, table };
    case Action.Message:
      return { action: Action.Message };
    default:
      throw new Error(`unknown wal2json action ${JSON.stringify(action)}`);
  }
}
