import { parseLsn, type Lsn } from '../../state/lsn.js';

/**
 * wal2json format-version 2: one JSON document per message. 'B'/'C' frame a transaction (with
 * the commit LSN in both, so a whole transaction can be skipped from its first message); 'I', 'U',
 * 'D' carry one row change; 'T' a truncate. wal2json before 2.6 has no numeric-data-types-as-string
 * and prints bigint and numeric values as bare JSON numbers, which JSON.parse would round: bare
 * numbers are quoted first, so every value keeps PostgreSQL's exact text. Pure.
 */
export interface Wal2JsonColumn {
  name: string;
  type: string;
  /** PostgreSQL's text of the value; null for SQL NULL. Booleans are turned back into 't'/'f'. */
  text: string | null;
}

export type Wal2JsonMessage =
  | { action: 'B'; commitLsn: Lsn; timestamp: string }
  | { action: 'C'; commitLsn: Lsn; timestamp: string; endLsn: Lsn }
  | { action: 'I' | 'U' | 'D'; schema: string; table: string; columns: Wal2JsonColumn[]; identity: Wal2JsonColumn[] }
  | { action: 'T'; schema: string; table: string }
  | { action: 'M' };

interface RawColumn {
  name: string;
  type: string;
  value: unknown;
}

interface RawMessage {
  action: string;
  lsn?: string;
  nextlsn?: string;
  timestamp?: string;
  schema?: string;
  table?: string;
  columns?: RawColumn[];
  identity?: RawColumn[];
}

export function decodeWal2Json(text: string): Wal2JsonMessage {
  const raw = JSON.parse(quoteBareNumbers(text)) as RawMessage;
  switch (raw.action) {
    case 'B':
      return { action: 'B', commitLsn: parseLsn(raw.lsn ?? ''), timestamp: raw.timestamp ?? '' };
    case 'C':
      return { action: 'C', commitLsn: parseLsn(raw.lsn ?? ''), timestamp: raw.timestamp ?? '', endLsn: raw.nextlsn === undefined ? parseLsn(raw.lsn ?? '') : parseLsn(raw.nextlsn) };
    case 'I':
    case 'U':
    case 'D':
      return {
        action: raw.action,
        schema: raw.schema ?? '',
        table: raw.table ?? '',
        columns: (raw.columns ?? []).map(column),
        identity: (raw.identity ?? []).map(column),
      };
    case 'T':
      return { action: 'T', schema: raw.schema ?? '', table: raw.table ?? '' };
    case 'M':
      return { action: 'M' };
    default:
      throw new Error(`unknown wal2json action ${JSON.stringify(raw.action)}`);
  }
}

/** wal2json prints bytea without its '\x' and booleans as JSON true/false: restore the text. */
function column(raw: RawColumn): Wal2JsonColumn {
  const value = raw.value;
  let text: string | null;
  if (value === null || value === undefined) text = null;
  else if (typeof value === 'boolean') text = value ? 't' : 'f';
  else if (typeof value === 'string') text = raw.type === 'bytea' ? `\\x${value}` : value;
  else text = String(value);
  return { name: raw.name, type: raw.type, text };
}

const QUOTE = 34;
const BACKSLASH = 92;

/** `{"value":123.40}` → `{"value":"123.40"}`: every number token outside strings becomes a string. */
export function quoteBareNumbers(text: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  const length = text.length;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = endOfString(text, i + 1);
      continue;
    }
    if (code === 45 || (code >= 48 && code <= 57)) {
      let end = i + 1;
      while (end < length && isNumberChar(text.charCodeAt(end))) end++;
      out += text.slice(copied, i) + '"' + text.slice(i, end) + '"';
      copied = end;
      i = end;
      continue;
    }
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Index just past the closing quote of a string whose body starts at `start`. */
function endOfString(text: string, start: number): number {
  let i = text.indexOf('"', start);
  while (i !== -1) {
    let backslashes = 0;
    for (let j = i - 1; j >= start && text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return i + 1;
    i = text.indexOf('"', i + 1);
  }
  return text.length;
}

function isNumberChar(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 46 || code === 101 || code === 69 || code === 43 || code === 45;
}
