/**
 * Writes a value that has no exact JSON form (infinity, NaN, BC, year past 9999): null, or under
 * out_of_range_values 'clamp' the given clamped fragment (null when nothing sensible exists, as for
 * NaN). Either way it is reported, so nothing is invented silently; the caller logs once per column.
 */
import type { ConvertOptions } from './pg-column-type.js';

export type OutOfRangeWriter = (text: string, clamped: string | null) => string;

export function outOfRangeWriter(options: ConvertOptions): OutOfRangeWriter {
  const clamp = options.outOfRange === 'clamp';
  const report = options.onOutOfRange;
  return (text, clamped) => {
    const written = clamp && clamped !== null ? clamped : 'null';
    report?.(text, written);
    return written;
  };
}
