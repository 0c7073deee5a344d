/**
 * A WAL position as a value type. PostgreSQL prints it as two hex halves ('16/B374D848');
 * singer-io stores it in state as a decimal integer, which can exceed 2^53, so it is a bigint
 * underneath — branded, so a plain number or bigint is never taken for one without going through
 * `Lsn.of`, `Lsn.parse` or `Lsn.fromBookmark`. Compare with the ordinary operators. Pure.
 */
declare const lsnBrand: unique symbol;
export type Lsn = bigint & { readonly [lsnBrand]: true };

const MAX = (1n << 64n) - 1n;

export const Lsn = {
  ZERO: 0n as Lsn,

  /** A position from its 64-bit value (the streaming protocol's bytes). */
  of(value: bigint): Lsn {
    if (value < 0n || value > MAX) throw new Error(`not an LSN: ${value}`);
    return value as Lsn;
  },

  parse(text: string): Lsn {
    const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
    if (match === null) throw new Error(`not an LSN: ${text}`);
    return ((BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`)) as Lsn;
  },

  format(lsn: Lsn): string {
    return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
  },

  /** The position just past `lsn`: a bookmark past a commit that starts at `lsn`. */
  after(lsn: Lsn): Lsn {
    return (lsn + 1n) as Lsn;
  },

  /**
   * An `lsn` bookmark as found in a state file: a decimal integer (singer-io), a decimal string, or
   * PostgreSQL's 'X/Y' text. Returns null for anything else.
   */
  fromBookmark(value: unknown): Lsn | null {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value) as Lsn;
    if (typeof value === 'string' && /^\d+$/.test(value) && BigInt(value) <= MAX) return BigInt(value) as Lsn;
    if (typeof value === 'string' && value.includes('/')) {
      try {
        return Lsn.parse(value);
      } catch {
        return null;
      }
    }
    return null;
  },

  /** As singer-io writes it: a JSON number while exact, a decimal string beyond 2^53. */
  toBookmark(lsn: Lsn): number | string {
    return lsn <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(lsn) : lsn.toString();
  },

  min(values: readonly Lsn[]): Lsn | null {
    return values.reduce<Lsn | null>((min, value) => (min === null || value < min ? value : min), null);
  },
};
