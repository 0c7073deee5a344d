/**
 * Values written as bytes: each form takes a wal2json token (data[start, end)) in one plain shape
 * and writes the JSON fragment the column's converter would write for it, or refuses (false,
 * nothing kept) so the converter handles the value. A form writes at out.pos, into room made
 * beforehand. Pure (writes into a buffer).
 */
import type { ByteSink } from '../../singer/line-buffer.js';
import { byteAt, isZeroOffset, typeKind, type PgColumnType, type ValueConverter } from '../../values/index.js';
import { tokenText } from './wal2json-row.js';

export type ByteForm = (data: Buffer, start: number, end: number, out: ByteSink) => boolean;

const QUOTE = 34;
const BACKSLASH = 92;
const SLASH = 47;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const COMMA = 44;
const COLON = 58;
const ZERO = 48;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const LETTER_T = 84;
const LOWER_T = 116;
const LOWER_F = 102;
const LETTER_C = 67;
const LOWER_E = 101;
const UPPER_E = 69;

/**
 * The byte form for a column, if one gives exactly what its converter gives. `utf8`: whether text
 * arrives as UTF-8 (wal2json writes it in the database's encoding); if not, text values go through
 * the converter, which reads them as the general path does.
 */
export function byteForm(type: PgColumnType, converter: ValueConverter, literal: boolean, utf8: boolean): ByteForm | null {
  const candidate = candidateForm(type, converter, literal, utf8);
  if (candidate === null) return null;
  return SAMPLES.every((token) => agrees(candidate, converter, token)) ? candidate : null;
}

function candidateForm(type: PgColumnType, converter: ValueConverter, literal: boolean, utf8: boolean): ByteForm | null {
  switch (typeKind(type)) {
    case 'integer':
    case 'numeric':
    case 'float':
      return copyNumber;
    case 'boolean':
      return copyBoolean;
    case 'timestamp':
      return timestampForm;
    case 'date':
      return dateBytes(converter('2000-01-01'), true);
    case 'json':
      if (!utf8) return null;
      return literal ? copyString : unescapeJson;
    case 'array':
      return isNumberArray(type) ? numberArrayForm : null;
    case 'string':
    case 'unsupported':
      return literal && utf8 ? copyString : null;
    default:
      return null;
  }
}

/** An array of integers, numerics or floats with the usual delimiter: the arrays numberArrayBytes writes. */
export function isNumberArray(type: PgColumnType): boolean {
  return type.delimiter === ',' && ['integer', 'numeric', 'float'].includes(typeKind(type.element as PgColumnType));
}

const timestampForm = timestampBytes(true);
const numberArrayForm = numberArrayBytes(true);

/**
 * Tokens as wal2json writes them, of every form above and of the forms they must refuse; a form is
 * kept only if, on each of them, it writes what the converter returns or refuses.
 */
const SAMPLES = [
  '12', '-9223372036854775808', '-0.50', '1e+30', '"12.5"', '"-7"', '"NaN"', '"-Infinity"', 'true', 'false',
  '"2001-02-03 04:05:06.789+00"', '"2001-02-03 04:05:06+00"', '"2001-02-03 04:05:06.5"', '"2001-02-03 04:05:06+05:30"', '"infinity"', '"0044-03-15 12:00:00+00 BC"',
  '"2000-01-01"', '"10000-01-01"', '"{\\"a\\": [1, \\"x\\\\\\"y\\"]}"', '"{\\"a\\":\\n1}"', '"{1,-2,3.5}"', '"{{1,2},{3,4}}"', '"{}"', '"{1,NULL}"', '"[0:1]={1,2}"',
  '"plain"', '"é \\u0001 \\"q\\""',
];

/** The converter only sees the tokens the form takes: plain values, which never reach its out-of-range reporting. */
function agrees(form: ByteForm, converter: ValueConverter, token: string): boolean {
  const data = Buffer.from(token);
  const out: ByteSink = { buf: Buffer.alloc(2 * data.length + 64), pos: 0 };
  if (!form(data, 0, data.length, out)) return true;
  try {
    return out.buf.toString('utf8', 0, out.pos) === converter(tokenText(token));
  } catch {
    return false;
  }
}

export function copy(data: Buffer, start: number, end: number, out: ByteSink): void {
  // A native copy pays off for long runs (a large value); a loop is cheaper for short ones.
  if (end - start > 64) {
    out.pos += data.copy(out.buf, out.pos, start, end);
    return;
  }
  const buf = out.buf;
  let pos = out.pos;
  for (let j = start; j < end; j++) buf[pos++] = data[j] as number;
  out.pos = pos;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= ZERO && byte <= 57;
}

/** true and false are the JSON values themselves. */
function copyBoolean(data: Buffer, start: number, end: number, out: ByteSink): boolean {
  const length = end - start;
  if (!(length === 4 && data[start] === LOWER_T) && !(length === 5 && data[start] === LOWER_F)) return false;
  copy(data, start, end, out);
  return true;
}

/** A bare number as is; a quoted one (numeric-data-types-as-string) unquoted, unless NaN or Infinity. */
export function copyNumber(data: Buffer, start: number, end: number, out: ByteSink): boolean {
  const quoted = data[start] === QUOTE ? 1 : 0;
  const first = data[start + quoted];
  if (!isDigit(first) && !(first === MINUS && isDigit(data[start + quoted + 1]))) return false;
  copy(data, start + quoted, end - quoted, out);
  return true;
}

/** A string literal is already the JSON string of its text (escape_json and JSON.stringify agree). */
function copyString(data: Buffer, start: number, end: number, out: ByteSink): boolean {
  if (data[start] !== QUOTE) return false;
  copy(data, start, end, out);
  return true;
}

/**
 * '"2021-03-04 05:06:07.1+00"' → '"2021-03-04T05:06:07.100000+00:00"', and without an offset
 * (timestamp without time zone) the same; other offsets, infinity, BC and long years are refused.
 * `quoted`: the token is a JSON string (wal2json) rather than the bare text (COPY).
 */
export function timestampBytes(quoted: boolean): ByteForm {
  const q = quoted ? 1 : 0;
  return (data, start, end, out) => {
    const text = start + q;
    const textEnd = end - q;
    if ((quoted && data[start] !== QUOTE) || textEnd - text < 19 || data[text + 4] !== MINUS || data[textEnd - 1] === LETTER_C) return false;
    let secondsEnd = text + 19;
    let digits = 0;
    if (data[secondsEnd] === DOT) {
      while (isDigit(data[secondsEnd + 1 + digits])) digits++;
      if (digits === 0 || digits > 6) return false;
      secondsEnd += 1 + digits;
    }
    if (secondsEnd !== textEnd && !isZeroOffset(data, byteAt, secondsEnd, textEnd)) return false;
    const buf = out.buf;
    let pos = out.pos;
    buf[pos++] = QUOTE;
    for (let j = text; j < text + 10; j++) buf[pos++] = data[j] as number;
    buf[pos++] = LETTER_T;
    for (let j = text + 11; j < secondsEnd; j++) buf[pos++] = data[j] as number;
    if (digits === 0) buf[pos++] = DOT;
    for (; digits < 6; digits++) buf[pos++] = ZERO;
    buf[pos++] = PLUS;
    buf[pos++] = ZERO;
    buf[pos++] = ZERO;
    buf[pos++] = COLON;
    buf[pos++] = ZERO;
    buf[pos++] = ZERO;
    buf[pos++] = QUOTE;
    out.pos = pos;
    return true;
  };
}

/**
 * '"2021-03-04"' → the converter's form of a date, whose text after the date is fixed
 * ('T00:00:00.000000+00:00"', or '"'). `quoted` as for timestampBytes.
 */
export function dateBytes(sample: string, quoted: boolean): ByteForm | null {
  if (!sample.startsWith('"2000-01-01')) return null;
  const tail = Buffer.from(sample.slice(11));
  const q = quoted ? 1 : 0;
  return (data, start, end, out) => {
    if ((quoted && data[start] !== QUOTE) || end - start !== 10 + 2 * q || data[start + q + 4] !== MINUS) return false;
    out.buf[out.pos++] = QUOTE;
    copy(data, start + q, end - q, out);
    put(out, tail);
    return true;
  };
}

/**
 * A json/jsonb value: the string literal unescaped is the document. Only \" \\ and \/ are undone
 * here; any other escape stands for a control character (a line break to compact) and is refused.
 */
function unescapeJson(data: Buffer, start: number, end: number, out: ByteSink): boolean {
  if (data[start] !== QUOTE) return false;
  const buf = out.buf;
  let pos = out.pos;
  for (let j = start + 1; j < end - 1; j++) {
    let byte = data[j] as number;
    if (byte === BACKSLASH) {
      byte = data[++j] as number;
      if (byte !== QUOTE && byte !== BACKSLASH && byte !== SLASH) return false;
    }
    buf[pos++] = byte;
  }
  out.pos = pos;
  return true;
}

/**
 * '"{1,-2,{3.5}}"' → '[1,-2,[3.5]]': numbers only; NULL, quotes, bounds, NaN and Infinity are
 * refused. `quoted` as for timestampBytes.
 */
export function numberArrayBytes(quoted: boolean): ByteForm {
  const q = quoted ? 1 : 0;
  return (data, start, end, out) => {
    if ((quoted && data[start] !== QUOTE) || data[start + q] !== OPEN_BRACE) return false;
    const buf = out.buf;
    let pos = out.pos;
    for (let j = start + q; j < end - q; j++) {
      const byte = data[j] as number;
      if (byte === OPEN_BRACE) buf[pos++] = OPEN_BRACKET;
      else if (byte === CLOSE_BRACE) buf[pos++] = CLOSE_BRACKET;
      else if (isDigit(byte) || byte === COMMA || byte === MINUS || byte === DOT || byte === PLUS || byte === LOWER_E || byte === UPPER_E) buf[pos++] = byte;
      else return false;
    }
    out.pos = pos;
    return true;
  };
}

/** Copies a constant (a key, the line's prefix or suffix). */
export function put(out: ByteSink, bytes: Buffer): void {
  const length = bytes.length;
  // TypedArray.set costs more than a loop below a few dozen bytes (a key is a handful).
  if (length > 48) {
    out.buf.set(bytes, out.pos);
    out.pos += length;
    return;
  }
  const buf = out.buf;
  let pos = out.pos;
  for (let j = 0; j < length; j++) buf[pos++] = bytes[j] as number;
  out.pos = pos;
}
