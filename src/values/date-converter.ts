import { outOfRangeWriter } from './out-of-range.js';
import type { ConvertOptions } from './pg-column-type.js';
import type { ValueConverter } from './value-converter.js';

const CHAR_MINUS = 45;
const CHAR_C = 67; // the C of a trailing ' BC'

/**
 * date text (DateStyle ISO: 'YYYY-MM-DD') → JSON string: a date-time at midnight UTC (singer-io's
 * mapping), "2021-03-04T00:00:00.000000+00:00", or with date_format 'date' just "2021-03-04".
 * 'infinity', '-infinity', BC dates ('0044-03-15 BC') and years past 9999 ('10000-01-01') have no
 * RFC 3339 form: null, or clamped to 0001-01-01 / 9999-12-31.
 */
export function dateConverter(options: ConvertOptions): ValueConverter {
  const asDate = options.dateFormat === 'date';
  const suffix = asDate ? '"' : 'T00:00:00.000000+00:00"';
  const minimum = '"0001-01-01' + suffix;
  const maximum = '"9999-12-31' + suffix;
  const outOfRange = outOfRangeWriter(options);
  return (text: string): string => {
    if (text.length === 10 && text.charCodeAt(4) === CHAR_MINUS) return '"' + text + suffix;
    const low = text.charCodeAt(0) === CHAR_MINUS || text.charCodeAt(text.length - 1) === CHAR_C;
    return outOfRange(text, low ? minimum : maximum);
  };
}
