import { numericBounds } from './numeric-bounds.js';
import { outOfRangeWriter } from './out-of-range.js';
import type { ConvertOptions, PgColumnType } from './pg-column-type.js';
import type { ValueConverter } from './value-converter.js';

const CHAR_N = 78; // 'N'aN
const CHAR_I = 73; // 'I'nfinity
const CHAR_MINUS = 45;

/** The largest finite float4 and float8, as PostgreSQL prints them with extra_float_digits=3. */
const FLOAT4_MAX = '3.4028235e+38';
const FLOAT8_MAX = '1.7976931348623157e+308';

/**
 * numeric/float4/float8 text → JSON number fragment, verbatim: PostgreSQL's numeric text is plain
 * decimal ('-0.50', '0.00', 40+ digits) and its float text is shortest-exact ('1e+30', '-0'), both
 * valid JSON numbers, so the digits are never passed through a JS number.
 * 'NaN' is always null. 'Infinity'/'-Infinity' are null, or clamped to the type's largest finite
 * value: FLT_MAX/DBL_MAX for floats; for numeric (only unconstrained numeric can hold infinity)
 * DBL_MAX, the largest number every JSON reader can hold.
 */
export function numberConverter(type: PgColumnType, options: ConvertOptions): ValueConverter {
  const bounds = type.typname === 'numeric' ? numericBounds(type.typmod) : null;
  const maximum = type.typname === 'float4' ? FLOAT4_MAX : (bounds?.maximum ?? FLOAT8_MAX);
  const minimum = '-' + maximum;
  const outOfRange = outOfRangeWriter(options);
  return (text: string): string => {
    const first = text.charCodeAt(0);
    if (first === CHAR_N) return outOfRange(text, null);
    if (first === CHAR_I) return outOfRange(text, maximum);
    if (first === CHAR_MINUS && text.charCodeAt(1) === CHAR_I) return outOfRange(text, minimum);
    return text;
  };
}
