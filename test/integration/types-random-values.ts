// Seeded generators of PostgreSQL input text for the randomized round trip: each family mixes the
// common case with the edges that break converters (quotes, backslashes, braces, control and astral
// characters, the words NULL, extreme numbers, infinities, BC and 5-digit years, mixed-sign intervals).
import { SERVER_VERSION_NUM } from './types-table.js';

export type Random = () => number;

const SPECIALS = ['"', '\\', ',', '{', '}', '(', ')', ' ', '\t', '\n', '\r', "'", '=', '>', ';', '[', ']', ':'];

export class ValueGenerator {
  constructor(private readonly random: Random) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.random() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  /** Any string PostgreSQL stores (no NUL, no lone surrogate), biased to the characters escapes are made of. */
  text(maxLength = 24): string {
    if (this.chance(0.04)) return this.pick(['NULL', 'null', '', ' ', '""']);
    let text = '';
    const length = this.int(0, maxLength);
    for (let i = 0; i < length; i++) {
      const bucket = this.random();
      let code: number;
      if (bucket < 0.3) code = this.int(0x20, 0x7e);
      else if (bucket < 0.55) {
        text += this.pick(SPECIALS);
        continue;
      } else if (bucket < 0.65) code = this.chance(0.9) ? this.int(1, 0x1f) : 0x7f;
      else if (bucket < 0.8) code = this.int(0x80, 0xd7ff);
      else if (bucket < 0.9) code = this.int(0xe000, 0xffff);
      else code = this.int(0x10000, 0x10ffff);
      text += String.fromCodePoint(code);
    }
    return text;
  }

  int8(): string {
    if (this.chance(0.05)) return this.pick(['-9223372036854775808', '9223372036854775807', '0', '-1']);
    const high = BigInt(this.int(0, 0xffffffff));
    const low = BigInt(this.int(0, 0xffffffff));
    return BigInt.asIntN(64, (high << 32n) | low).toString();
  }

  numeric(): string {
    if (this.chance(0.03)) {
      // numeric has infinities from PostgreSQL 14; older servers get NaN (the sequence stays the same).
      const special = this.pick(['NaN', 'Infinity', '-Infinity']);
      return SERVER_VERSION_NUM < 140000 ? 'NaN' : special;
    }
    const digits = (count: number): string => Array.from({ length: count }, () => String(this.int(0, 9))).join('');
    const whole = digits(this.int(1, 50));
    const fraction = this.chance(0.7) ? '.' + digits(this.int(1, 40)) : '';
    return (this.chance(0.5) ? '-' : '') + whole + fraction;
  }

  /** A double from random bits: subnormals, huge exponents and -0 included. */
  float8(): string {
    const view = new DataView(new ArrayBuffer(8));
    view.setUint32(0, this.int(0, 0xffffffff));
    view.setUint32(4, this.int(0, 0xffffffff));
    return floatText(view.getFloat64(0));
  }

  float4(): string {
    const view = new DataView(new ArrayBuffer(4));
    view.setUint32(0, this.int(0, 0xffffffff));
    return floatText(view.getFloat32(0));
  }

  /** 'YYYY-MM-DD HH:MM:SS.ffffff+HH:MM' between 0001 and 9999, or an edge PostgreSQL accepts. */
  timestamptz(): string {
    if (this.chance(0.04)) return this.pick(['infinity', '-infinity', '0100-02-03 04:05:06.5+00 BC', '12345-06-07 00:00:00+00', '0001-01-01 00:00:00+00']);
    const offset = this.chance(0.7) ? '+00' : `${this.pick(['+', '-'])}${pad(this.int(0, 15), 2)}:${pad(this.pick([0, 30, 45]), 2)}`;
    return this.instant() + offset;
  }

  date(): string {
    if (this.chance(0.04)) return this.pick(['infinity', '-infinity', '0044-03-15 BC', '10000-01-01']);
    return this.instant().slice(0, 10);
  }

  /** A wall time with microseconds from a uniform instant in 0001-01-01 .. 9999-12-31. */
  private instant(): string {
    const first = -62135596800000; // 0001-01-01T00:00:00Z in ms
    const last = 253402300799999; // 9999-12-31T23:59:59.999Z
    const ms = first + Math.floor(this.random() * (last - first));
    const iso = new Date(ms).toISOString(); // 'YYYY-MM-DDTHH:MM:SS.mmmZ'
    return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${pad(this.int(0, 999), 3)}`;
  }

  interval(): string {
    const months = this.chance(0.4) ? 0 : this.int(-200000, 200000);
    const days = this.chance(0.4) ? 0 : this.int(-1000000, 1000000);
    const parts = [`${months} mons`, `${days} days`];
    if (this.chance(0.7)) {
      const sign = this.chance(0.5) ? '-' : '';
      parts.push(`${sign}${this.int(0, 2000000)}:${pad(this.int(0, 59), 2)}:${pad(this.int(0, 59), 2)}.${pad(this.int(0, 999999), 6)}`);
    }
    return parts.join(' ');
  }

  /** A JSON document; numbers are raw tokens (40 digits, exponents), strings any text. */
  json(depth = 0, space = (): string => ''): string {
    const kind = depth >= 3 ? this.int(0, 3) : this.int(0, 5);
    switch (kind) {
      case 0: return this.pick(['null', 'true', 'false']);
      case 1: return this.jsonNumber();
      case 2:
      case 3: return JSON.stringify(this.text(12));
      case 4: return '[' + Array.from({ length: this.int(0, 4) }, () => space() + this.json(depth + 1, space) + space()).join(',') + ']';
      default: {
        const keys = new Set(Array.from({ length: this.int(0, 4) }, () => this.text(6)));
        return '{' + [...keys].map((key) => `${space()}${JSON.stringify(key)}${space()}:${space()}${this.json(depth + 1, space)}`).join(',') + '}';
      }
    }
  }

  /** json (not jsonb) keeps its input text: spread random whitespace, line breaks included. */
  jsonWithWhitespace(): string {
    return this.json(0, () => this.pick(['', '', ' ', '\n', '\t', '\r\n', '  \n ']));
  }

  private jsonNumber(): string {
    const digits = (count: number): string => String(this.int(1, 9)) + Array.from({ length: count - 1 }, () => String(this.int(0, 9))).join('');
    const sign = this.chance(0.3) ? '-' : '';
    const whole = this.chance(0.2) ? '0' : digits(this.int(1, 40));
    const fraction = this.chance(0.4) ? '.' + digits(this.int(1, 20)) : '';
    const exponent = this.chance(0.2) ? this.pick(['e', 'E']) + this.pick(['', '+', '-']) + this.int(0, 300) : '';
    return sign + whole + fraction + exponent;
  }

  hstore(): string {
    const keys = new Set(Array.from({ length: this.int(0, 5) }, () => this.text(8)));
    const quote = (text: string): string => '"' + text.replace(/["\\]/g, '\\$&') + '"';
    return [...keys].map((key) => `${quote(key)}=>${this.chance(0.2) ? 'NULL' : quote(this.text(10))}`).join(', ');
  }

  bytea(): string {
    return '\\x' + Array.from({ length: this.int(0, 40) }, () => pad(this.int(0, 255).toString(16), 2)).join('');
  }

  /** A rectangular text[] literal of 1 to 3 dimensions (or '{}'), NULL elements included. */
  textArray(): string {
    if (this.chance(0.1)) return '{}';
    const lengths = Array.from({ length: this.int(1, 3) }, () => this.int(1, 3));
    const build = (level: number): string =>
      '{' + Array.from({ length: lengths[level] as number }, () => (level === lengths.length - 1 ? this.arrayElement() : build(level + 1))).join(',') + '}';
    return build(0);
  }

  private arrayElement(): string {
    return this.chance(0.15) ? 'NULL' : '"' + this.text(10).replace(/["\\]/g, '\\$&') + '"';
  }

  /** inner_t (ts timestamptz, tags text[], note text) as record_in text. */
  innerComposite(): string {
    const fields = [this.chance(0.2) ? null : this.timestamptz(), this.chance(0.2) ? null : this.textArray(), this.chance(0.2) ? null : this.text(12)];
    return '(' + fields.map((field) => (field === null ? '' : '"' + field.replace(/["\\]/g, '$&$&') + '"')).join(',') + ')';
  }
}

function pad(value: number | string, width: number): string {
  return String(value).padStart(width, '0');
}

/** Float input text PostgreSQL parses to exactly this value (JS prints the shortest round-trip decimal). */
function floatText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return Object.is(value, -0) ? '-0' : String(value);
}
