import { outOfRangeWriter } from './out-of-range.js';
import type { ConvertOptions } from './pg-column-type.js';
import type { ValueConverter } from './value-converter.js';

const CHAR_PLUS = 43;
const CHAR_MINUS = 45;
const CHAR_DOT = 46;
const CHAR_ZERO = 48;
const CHAR_NINE = 57;
const CHAR_COLON = 58;
const CHAR_C = 67; // the C of a trailing ' BC'

/** Indexed by the number of fractional digits (1..6): the zeros that make six. Index 0 is for no fraction at all. */
const FRACTION_PAD: readonly string[] = ['.000000', '00000', '0000', '000', '00', '0', ''];

const MINIMUM = '"0001-01-01T00:00:00.000000+00:00"';
const MAXIMUM = '"9999-12-31T23:59:59.999999+00:00"';

/**
 * timestamp/timestamptz text (DateStyle ISO) → JSON date-time string in UTC with exactly six
 * fractional digits, so strings sort like instants:
 *   '2021-03-04 05:06:07.1+00'  → "2021-03-04T05:06:07.100000+00:00"
 *   '2021-03-04 05:06:07'       → "2021-03-04T05:06:07.000000+00:00" (timestamp without time zone is UTC wall time)
 * 'infinity', '-infinity', years past 9999 and BC ('... BC') have no RFC 3339 form: null, or
 * clamped to 0001-01-01T00:00:00.000000 / 9999-12-31T23:59:59.999999.
 */
export function timestampConverter(options: ConvertOptions): ValueConverter {
  const outOfRange = outOfRangeWriter(options);
  return (text: string): string => {
    const json = timestampToJson(text);
    if (json !== null) return json;
    // '-infinity', '... BC', or (slow path only) a year-0001 wall time shifted below 0001 by its offset.
    const low = text.charCodeAt(0) === CHAR_MINUS || text.charCodeAt(text.length - 1) === CHAR_C || text.startsWith('0001-');
    return outOfRange(text, low ? MINIMUM : MAXIMUM);
  };
}

/**
 * The session runs with TimeZone=UTC so timestamptz text ends in '+00'; any other offset
 * ('-08', '+05:30', '+00:53:28') is still converted to UTC, on a slower path. Null when out of range.
 */
function timestampToJson(text: string): string | null {
  const length = text.length;
  // 'infinity'/'-infinity' and 5+ digit years fail the '-' at index 4; BC ends in 'C'.
  if (length < 19 || text.charCodeAt(4) !== CHAR_MINUS || text.charCodeAt(length - 1) === CHAR_C) return null;
  let end = 19; // end of the seconds, then of the fraction
  if (text.charCodeAt(end) === CHAR_DOT) {
    end++;
    while (end < length && isDigit(text.charCodeAt(end))) end++;
  }
  if (end !== length && !isZeroOffset(text, charCodeAt, end, length)) return shiftedToUtc(text, fraction(text, end), end);
  // '2021-03-04 05:06:07.1' + '00000' → "2021-03-04T05:06:07.100000+00:00"
  return '"' + text.slice(0, 10) + 'T' + text.slice(11, end) + FRACTION_PAD[end === 19 ? 0 : end - 20] + '+00:00"';
}

/** The fraction (with its '.') padded to six digits. */
function fraction(text: string, end: number): string {
  return end === 19 ? (FRACTION_PAD[0] as string) : text.slice(19, end) + FRACTION_PAD[end - 20];
}

function isDigit(code: number): boolean {
  return code >= CHAR_ZERO && code <= CHAR_NINE;
}

/** '+00' (what a UTC session prints), '+00:00', '+00:00:00'. */
/**
 * Whether the UTC offset at [start, end) — '+00', '-00:00', '+00:00:00' — is zero. Over any text,
 * by its character codes (`codeAt` is a static function, so the hot paths allocate nothing): the
 * converters read strings, the LOG_BASED byte forms read bytes.
 */
export function isZeroOffset<T>(source: T, codeAt: (source: T, index: number) => number | undefined, start: number, end: number): boolean {
  const sign = codeAt(source, start);
  if ((sign !== CHAR_PLUS && sign !== CHAR_MINUS) || end - start < 3) return false;
  for (let i = start + 1; i < end; i++) {
    const c = codeAt(source, i);
    if (c !== CHAR_ZERO && c !== CHAR_COLON) return false;
  }
  return true;
}

/** A string's character code at `index`, for isZeroOffset. */
export function charCodeAt(text: string, index: number): number {
  return text.charCodeAt(index);
}

/** A buffer's byte at `index`, for isZeroOffset. */
export function byteAt(data: Uint8Array, index: number): number | undefined {
  return data[index];
}

/** Slow path for a non-zero UTC offset: the local wall time minus the offset, via Date (whole seconds only). */
function shiftedToUtc(text: string, fraction: string, offsetStart: number): string | null {
  const sign = text.charCodeAt(offsetStart) === CHAR_MINUS ? -1 : 1;
  const [hours = '0', minutes = '0', seconds = '0'] = text.slice(offsetStart + 1).split(':');
  const offsetSeconds = sign * (Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds));
  const instant = new Date(0);
  instant.setUTCFullYear(Number(text.slice(0, 4)), Number(text.slice(5, 7)) - 1, Number(text.slice(8, 10)));
  instant.setUTCHours(Number(text.slice(11, 13)), Number(text.slice(14, 16)), Number(text.slice(17, 19)) - offsetSeconds);
  const iso = instant.toISOString(); // 'YYYY-MM-DDTHH:MM:SS.000Z' for years 0000..9999
  if (iso.length !== 24 || iso.startsWith('0000')) return null; // shifted past 9999 or into 1 BC
  return '"' + iso.slice(0, 19) + fraction + '+00:00"';
}
