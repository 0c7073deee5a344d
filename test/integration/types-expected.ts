// What PostgreSQL itself says each value is, as JSON, for the type tests: SQL expressions built from
// the server's own text output (format('%s', x) calls the type's output function), to_char and
// hstore_to_json, and a lossless JSON reader so the tap's numbers are compared digit for digit.

/** How a column's expected JSON is derived; mirrors the tap's mapping without sharing its code. */
export type Family =
  | 'number' // the server's text, which must be a JSON number; NaN/±Infinity → null
  | 'boolean'
  | 'bit1' // bit(1) → x = B'1'
  | 'text' // the server's text as a string
  | 'date' // YYYY-MM-DD + midnight UTC; out of range → null
  | 'timestamp'
  | 'timestamptz'
  | 'interval' // the server's text under IntervalStyle iso_8601
  | 'json'
  | 'hstore'
  | 'bytea'
  | { array: Family }
  | { composite: ReadonlyArray<readonly [string, Family]> };

/** Settings of the session that computes expectations: the ones whose text the tap promises. */
export const EXPECTATION_SETTINGS = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 1";

const STAMP = `'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'`;

export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

function quoteLiteral(text: string): string {
  return "'" + text.replace(/'/g, "''") + "'";
}

/** SQL (type json) of the JSON the tap must write for the value of `x`, NULL included. */
export function expectedSql(x: string, family: Family): string {
  return `CASE WHEN num_nulls(${x}) = 1 THEN 'null'::json ELSE ${nonNull(x, family)} END`;
}

function nonNull(x: string, family: Family): string {
  if (typeof family === 'object') {
    if ('array' in family) {
      // Elements in storage order plus the dimensions; reshaped into nested arrays by expectedValue.
      return `json_build_object('dims', array_dims(${x}), 'elems', (SELECT json_agg(${expectedSql('u.e', family.array)}) FROM (SELECT unnest(${x}) AS e) AS u))`;
    }
    const pairs = family.composite.map(([name, attribute]) => `${quoteLiteral(name)}, ${expectedSql(`(${x}).${quoteIdent(name)}`, attribute)}`);
    return pairs.length === 0 ? `'{}'::json` : `json_build_object(${pairs.join(', ')})`;
  }
  switch (family) {
    case 'number':
      return `CASE WHEN ${x}::text IN ('NaN', 'Infinity', '-Infinity') THEN 'null'::json ELSE format('%s', ${x})::json END`;
    case 'boolean':
      return `to_json(${x})`;
    case 'bit1':
      return `to_json(${x} = B'1')`;
    case 'text':
    case 'interval':
      return `to_json(format('%s', ${x}))`;
    case 'date':
      return `CASE WHEN NOT isfinite(${x}) OR ${x} < '0001-01-01' OR ${x} > '9999-12-31' THEN 'null'::json
        ELSE to_json(to_char(${x}, 'YYYY-MM-DD') || 'T00:00:00.000000+00:00') END`;
    case 'timestamp':
      return stamp(x);
    case 'timestamptz':
      return stamp(`(${x} AT TIME ZONE 'UTC')`);
    case 'json':
      return `${x}::json`;
    case 'hstore':
      return `hstore_to_json(${x})`;
    case 'bytea':
      return `to_json(encode(${x}, 'hex'))`;
  }
}

function stamp(x: string): string {
  return `CASE WHEN NOT isfinite(${x}) OR ${x} < '0001-01-01' OR ${x} >= '10000-01-01' THEN 'null'::json ELSE to_json(to_char(${x}, ${STAMP})) END`;
}

/** A JSON number by exact decimal value: '1e+30', '1000000000000000000000000000000' and '1E30' are equal. */
export class Num {
  constructor(readonly canonical: string) {}
}

const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export function canonicalNumber(text: string): string {
  const match = NUMBER.exec(text);
  if (match === null) throw new Error(`not a JSON number: ${text}`);
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  let digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return sign + '0'; // keeps float -0 apart from 0
  let scale = Number(exponent) - fraction.length;
  const trimmed = digits.replace(/0+$/, '');
  scale += digits.length - trimmed.length;
  digits = trimmed;
  return `${sign}${digits}e${scale}`;
}

/** JSON.parse, except that numbers become Num (exact) instead of doubles. */
export function parseExact(text: string): unknown {
  let i = 0;
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const value = (): unknown => {
    space();
    const c = text[i];
    if (c === '{') {
      const object: Record<string, unknown> = {};
      i++;
      space();
      if (text[i] === '}') {
        i++;
        return object;
      }
      for (;;) {
        space();
        const key = value() as string;
        space();
        i++; // ':'
        object[key] = value();
        space();
        if (text[i++] === '}') return object;
      }
    }
    if (c === '[') {
      const array: unknown[] = [];
      i++;
      space();
      if (text[i] === ']') {
        i++;
        return array;
      }
      for (;;) {
        array.push(value());
        space();
        if (text[i++] === ']') return array;
      }
    }
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const literal = text.slice(i, end + 1);
      i = end + 1;
      return JSON.parse(literal) as string;
    }
    for (const [word, result] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return result;
      }
    }
    const start = i;
    while (i < text.length && '+-0123456789.eE'.includes(text[i] as string)) i++;
    return new Num(canonicalNumber(text.slice(start, i)));
  };
  const result = value();
  space();
  if (i !== text.length) throw new Error(`trailing text at ${i}: ${text.slice(i, i + 40)}`);
  return result;
}

/** The expected value (parsed with parseExact) in the tap's shape: arrays nested by their dimensions. */
export function expectedValue(value: unknown, family: Family): unknown {
  if (value === null || typeof family !== 'object') return value;
  if ('array' in family) {
    const { dims, elems } = value as { dims: string | null; elems: unknown[] | null };
    if (dims === null) return [];
    const lengths = [...dims.matchAll(/\[(-?\d+):(-?\d+)\]/g)].map((m) => Number(m[2]) - Number(m[1]) + 1);
    const flat = (elems ?? []).map((element) => expectedValue(element, family.array));
    let position = 0;
    const build = (level: number): unknown[] =>
      Array.from({ length: lengths[level] as number }, () => (level === lengths.length - 1 ? flat[position++] : build(level + 1)));
    return build(0);
  }
  const object = value as Record<string, unknown>;
  return Object.fromEntries(family.composite.map(([name, attribute]) => [name, expectedValue(object[name], attribute)]));
}

/** The RECORD messages of a tap's stdout, each parsed exactly, in order. */
export function exactRecords(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{"type":"RECORD"'))
    .map((line) => (parseExact(line) as { record: Record<string, unknown> }).record);
}
