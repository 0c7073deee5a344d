/**
 * A WAL position. PostgreSQL prints it as two hex halves ('16/B374D848'); singer-io stores it in
 * state as a decimal integer, which can exceed 2^53, so it is a bigint here, never a float.
 */
export type Lsn = bigint;

export const ZERO_LSN: Lsn = 0n;

export function parseLsn(text: string): Lsn {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (match === null) throw new Error(`not an LSN: ${text}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/**
 * An `lsn` bookmark as found in a state file: a decimal integer (singer-io), a decimal string, or
 * PostgreSQL's 'X/Y' text. Returns null for anything else.
 */
export function lsnFromBookmark(value: unknown): Lsn | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'string' && value.includes('/')) {
    try {
      return parseLsn(value);
    } catch {
      return null;
    }
  }
  return null;
}

/** As singer-io writes it: a JSON number while exact, a decimal string beyond 2^53. */
export function lsnToBookmark(lsn: Lsn): number | string {
  return lsn <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(lsn) : lsn.toString();
}

export function minLsn(values: readonly Lsn[]): Lsn | null {
  return values.reduce<Lsn | null>((min, value) => (min === null || value < min ? value : min), null);
}
