/** What a numeric(p,s) typmod allows: precision, scale and the largest magnitude as exact decimal text. */
export interface NumericBounds {
  precision: number;
  scale: number;
  /** 10^(p-s) − 10^-s written out, e.g. '99999999.99' for numeric(10,2); the minimum is its negation. */
  maximum: string;
}

const VARHDRSZ = 4;

/** Decodes numeric's atttypmod; null for an unconstrained numeric (typmod −1). */
export function numericBounds(typmod: number): NumericBounds | null {
  if (typmod < VARHDRSZ) return null;
  const packed = typmod - VARHDRSZ;
  const precision = (packed >> 16) & 0xffff;
  // PostgreSQL 15+ stores the scale as an 11-bit two's complement (scale may be −1000..1000).
  const scale = ((packed & 0x7ff) ^ 1024) - 1024;
  return { precision, scale, maximum: largestMagnitude(precision, scale) };
}

/** 10^(p−s) − 10^(−s): p nines, placed so the last one is the 10^(−s) digit. */
function largestMagnitude(precision: number, scale: number): string {
  const nines = '9'.repeat(precision);
  if (scale <= 0) return nines + '0'.repeat(-scale); // numeric(3,-2) → 99900
  const integerDigits = precision - scale;
  if (integerDigits <= 0) return '0.' + '0'.repeat(-integerDigits) + nines; // numeric(3,5) → 0.00999
  return nines.slice(0, integerDigits) + '.' + nines.slice(integerDigits); // numeric(10,2) → 99999999.99
}
