/**
 * Values of COPY text output written as bytes: each form takes a field (data[start, end), as COPY
 * writes it, escapes and all) in one plain shape and writes the JSON fragment the column's
 * converter would write for its text, or refuses (false, nothing kept) so the converter handles
 * the value. A form writes at out.pos, at most twice the field plus 32 bytes. Pure.
 *
 * Most values need no escaping at all in either format, which is what makes FULL_TABLE fast: the
 * field's bytes are the JSON value's bytes, with quotes around them for a string.
 */
import type { ByteSink } from '../singer/line-buffer.js';
import { typeKind, type PgColumnType, type ValueConverter } from '../values/index.js';
import { unescapeField } from '../postgres/copy/unescape-field.js';
import { copy, copyNumber, dateBytes, isNumberArray, numberArrayBytes, timestampBytes, type ByteForm } from './logical/value-bytes.js';

/** What a form may write beyond twice the field's length (a date at midnight: 10 bytes → 34). */
export const FORM_GROWTH = 32;

const QUOTE = 34;
const BACKSLASH = 92;
const LOWER_T = 116;
const LOWER_F = 102;
const LOWER_X = 120;
const SPACE = 32;

/** Forms already checked, by what decides a converter (see copyByteForm's `key`). */
const checked = new Map<string, ByteForm | null>();

/**
 * The byte form for a column, if one gives exactly what its converter gives on every sample.
 * `key`, when given, names what decides the converter (its type and options): the check is then
 * made once a run for each, not once a stream.
 */
export function copyByteForm(type: PgColumnType, converter: ValueConverter, key?: string, utf8 = true): ByteForm | null {
  const cacheKey = key === undefined ? undefined : `${utf8 ? 'utf8' : 'bytes'} ${key}`;
  if (cacheKey !== undefined && checked.has(cacheKey)) return checked.get(cacheKey) as ByteForm | null;
  const candidate = candidateForm(type, converter, utf8);
  const form = candidate !== null && SAMPLES.every((field) => agrees(candidate, converter, field)) ? candidate : null;
  if (cacheKey !== undefined) checked.set(cacheKey, form);
  return form;
}

/** `utf8`: strings and documents are copied as bytes only when the text is known to be valid UTF-8. */
function candidateForm(type: PgColumnType, converter: ValueConverter, utf8: boolean): ByteForm | null {
  switch (typeKind(type)) {
    case 'integer':
    case 'numeric':
    case 'float':
      return copyNumber;
    case 'boolean':
      return booleanForm;
    case 'timestamp':
      return timestampForm;
    case 'date':
      return dateBytes(converter('2000-01-01'), false);
    case 'json':
      if (!utf8) return null;
      // Written as a document, or (json_as_string, the discovered default) as a JSON string.
      return converter('{"k": 1}') === '{"k": 1}' ? jsonForm : stringForm;
    case 'bytea':
      return byteaForm;
    case 'array':
      return isNumberArray(type) ? numberArrayForm : null;
    case 'string':
    case 'unsupported':
      return utf8 ? stringForm : null;
    default:
      return null;
  }
}

const timestampForm = timestampBytes(false);
const numberArrayForm = numberArrayBytes(false);

/**
 * Fields as COPY writes them (a backslash doubled, line breaks and tabs escaped, other control
 * characters raw), of every form above and of the forms they must refuse.
 */
const SAMPLES = [
  '12', '-9223372036854775808', '-0.50', '1e+30', 'NaN', 'Infinity', '-Infinity', 't', 'f',
  '2001-02-03 04:05:06.789+00', '2001-02-03 04:05:06+00', '2001-02-03 04:05:06.5', '2001-02-03 04:05:06+05:30', 'infinity', '0044-03-15 12:00:00+00 BC',
  '2000-01-01', '10000-01-01', '{"a": [1, "x\\\\"y"]}', '{"a":\\n1}', '{1,-2,3.5}', '{{1,2},{3,4}}', '{}', '{1,NULL}', '[0:1]={1,2}',
  'plain', 'say "hi"', '{"k": "v"}', 'é \u0001 "q"', 'tab\\there', '\\\\x0102ff', '\\\\x', '',
];

/** The converter only sees the fields the form takes: plain values, which never reach its out-of-range reporting. */
function agrees(form: ByteForm, converter: ValueConverter, field: string): boolean {
  const data = Buffer.from(field);
  const out: ByteSink = { buf: Buffer.alloc(2 * data.length + FORM_GROWTH), pos: 0 };
  if (!form(data, 0, data.length, out)) return true;
  try {
    return out.buf.toString('utf8', 0, out.pos) === converter(unescapeField(field));
  } catch {
    return false;
  }
}

/** 't' → true, 'f' → false. */
function booleanForm(data: Buffer, start: number, end: number, out: ByteSink): boolean {
  if (end - start !== 1) return false;
  const byte = data[start];
  if (byte === LOWER_T) writeAscii(out, 'true');
  else if (byte === LOWER_F) writeAscii(out, 'false');
  else return false;
  return true;
}

/**
 * A string: its bytes between quotes, a quote escaped. A backslash (a COPY escape) or a control
 * character is refused, and the converter escapes the text. COPY output is UTF-8 (the session's
 * client_encoding), so the bytes are already the JSON text's. This is also a json/jsonb column
 * written as a JSON string, whose documents are full of quotes.
 */
function stringForm(data: Buffer, start: number, end: number, out: ByteSink): boolean {
  const buf = out.buf;
  let pos = out.pos;
  buf[pos++] = QUOTE;
  for (let j = start; j < end; j++) {
    const byte = data[j] as number;
    // One test for most bytes: everything at or below the quote is a control character, a space,
    // '!' or the quote itself.
    if (byte <= QUOTE || byte === BACKSLASH) {
      if (byte === QUOTE) buf[pos++] = BACKSLASH;
      else if (byte < SPACE || byte === BACKSLASH) return false;
    }
    buf[pos++] = byte;
  }
  buf[pos++] = QUOTE;
  out.pos = pos;
  return true;
}

/**
 * A json/jsonb document without a backslash is written as is (it is one line: COPY escapes line
 * breaks). One with a backslash holds an escape, of COPY or of JSON, and goes to the converter.
 */
function jsonForm(data: Buffer, start: number, end: number, out: ByteSink): boolean {
  if (end === start) return false;
  const buf = out.buf;
  let pos = out.pos;
  for (let j = start; j < end; j++) {
    const byte = data[j] as number;
    if (byte === BACKSLASH) return false;
    buf[pos++] = byte;
  }
  out.pos = pos;
  return true;
}

/** bytea in hex output, '\\x0102ff' as COPY writes it (its backslash doubled) → '"0102ff"'. */
function byteaForm(data: Buffer, start: number, end: number, out: ByteSink): boolean {
  if (end - start < 3 || data[start] !== BACKSLASH || data[start + 1] !== BACKSLASH || data[start + 2] !== LOWER_X) return false;
  out.buf[out.pos++] = QUOTE;
  copy(data, start + 3, end, out);
  out.buf[out.pos++] = QUOTE;
  return true;
}

function writeAscii(out: ByteSink, text: string): void {
  for (let i = 0; i < text.length; i++) out.buf[out.pos++] = text.charCodeAt(i);
}
