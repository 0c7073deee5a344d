// The type tests' table: one column per PostgreSQL type (extension, enum, composite and domain types
// included) plus an array column of each, filled with edge values. Values here are only inputs: what
// the tap must write for them is asked from the server (types-expected.ts), never typed in.
import { quoteIdent, type Family } from './types-expected.js';

export interface TypeSample {
  /** Column suffix: c_<name> holds the type, a_<name> an array of it. */
  name: string;
  sqlType: string;
  family: Family;
  /** SQL expressions, cast to sqlType; row r of c_<name> gets samples[r % length]. */
  samples: readonly string[];
  /** A NOT NULL type (domain): its NULL row gets samples[0] instead. */
  notNull?: boolean;
  /** Arrays of it make no sense or do not exist (domains over arrays). */
  noArray?: boolean;
  /** The first server_version_num that has the type (or its samples' values). */
  since?: number;
}

/**
 * The server the tests run against (the suite and the version matrix set it); types newer than it
 * are left out, so each major is tested on every type it has.
 */
export const SERVER_VERSION_NUM = Number(process.env.TAP_POSTGRES_TEST_SERVER_VERSION_NUM ?? 999999);

export const SETUP_TYPES = `
  CREATE EXTENSION IF NOT EXISTS hstore; CREATE EXTENSION IF NOT EXISTS citext; CREATE EXTENSION IF NOT EXISTS ltree;
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'quote"d', 'with space', 'é ✓');
  CREATE TYPE inner_t AS (ts timestamptz, tags text[], note text);
  CREATE TYPE outer_t AS (n numeric, gone int, "in" inner_t, h hstore, j jsonb, d date, flag bit(1), "Odd ""name""" text, iv interval);
  ALTER TYPE outer_t DROP ATTRIBUTE gone;
  CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
  CREATE DOMAIN posint2 AS posint;
  CREATE DOMAIN price AS numeric(12,2);
  CREATE DOMAIN intarr AS int[];
  CREATE DOMAIN nn_text AS text NOT NULL;
  CREATE DOMAIN email AS citext;
  CREATE DOMAIN dom_outer AS outer_t;
  CREATE DOMAIN dom_jsonb AS jsonb CHECK (VALUE <> '0');
  CREATE TABLE pair (a int, b text);
`;

const INNER: Family = { composite: [['ts', 'timestamptz'], ['tags', { array: 'text' }], ['note', 'text']] };
const OUTER: Family = {
  composite: [['n', 'number'], ['in', INNER], ['h', 'hstore'], ['j', 'json'], ['d', 'date'], ['flag', 'bit1'], ['Odd "name"', 'text'], ['iv', 'interval']],
};

const COMPOSITES = [
  String.raw`ROW(12345678901234567890.5, ROW('2021-03-04 05:06:07.5+00', ARRAY['a', 'b c', NULL, 'q"\', 'NULL', ''], 'note, (parens)'), hstore('k', 'v'), '{"x": [1, 2.50]}', 'infinity', B'1', '', '1 day -2 hours')`,
  'ROW(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)',
  String.raw`ROW('NaN', ROW(NULL, '{}', NULL), '', 'null', '2020-02-29', B'0', E'x"y\\z\n', '0')`,
];

const TEXTS = [
  String.raw`E'quote " backslash \\ comma , braces {} parens () semicolon ; NULL'`,
  `''`,
  `'NULL'`,
  `'é ✓ 😀 ' || chr(1114111) || chr(8232) || chr(8233) || chr(65279) || chr(65535) || ' עברית'`,
  String.raw`E'\x01\x1f\x7f tab\tnl\ncr\r bs\b ff\f vt\x0b'`,
  `'  padded  '`,
];

export const TYPES: readonly TypeSample[] = ([
  { name: 'int2', sqlType: 'smallint', family: 'number', samples: ['-32768', '32767', '0'] },
  { name: 'int4', sqlType: 'integer', family: 'number', samples: ['-2147483648', '2147483647', '1'] },
  { name: 'int8', sqlType: 'bigint', family: 'number', samples: ['-9223372036854775808', '9223372036854775807', '9007199254740993'] },
  { name: 'oid', sqlType: 'oid', family: 'number', samples: ['0', '4294967295'] },
  {
    name: 'numeric', sqlType: 'numeric', family: 'number',
    samples: ["'NaN'", '12345678901234567890123456789012345678.123456789', '-0.000000000000000000000000000000000000001', '0.00', '1e100', '-7'],
  },
  { name: 'numeric_inf', sqlType: 'numeric', family: 'number', samples: ["'Infinity'", "'-Infinity'", '1'], since: 140000 },
  { name: 'numeric_ps', sqlType: 'numeric(40,10)', family: 'number', samples: ['-999999999999999999999999999999.9999999999', '999999999999999999999999999999.9999999999', '0.07', "'NaN'"] },
  { name: 'numeric_neg_scale', sqlType: 'numeric(5,-2)', family: 'number', samples: ['9999949', '-12345', '0'], since: 150000 },
  { name: 'float4', sqlType: 'real', family: 'number', samples: ["'NaN'", "'Infinity'", "'-Infinity'", '3.4028235e38', '1.4e-45', "'-0'", '0.1', '16777217'] },
  { name: 'float8', sqlType: 'double precision', family: 'number', samples: ["'-Infinity'", '1.7976931348623157e308', '5e-324', "'-0'", '0.1', "'NaN'", "'Infinity'", '9007199254740993'] },
  { name: 'money', sqlType: 'money', family: 'text', samples: ['-92233720368547758.08', '92233720368547758.07', '0', '1234.5'] },
  { name: 'bool', sqlType: 'boolean', family: 'boolean', samples: ['true', 'false'] },
  { name: 'text', sqlType: 'text', family: 'text', samples: TEXTS },
  { name: 'varchar', sqlType: 'varchar(10)', family: 'text', samples: ["'ten chars!'", "''", "'é✓😀'"] },
  { name: 'bpchar', sqlType: 'char(5)', family: 'text', samples: ["'ab'", "'abcde'", "'é'"] },
  { name: 'name', sqlType: 'name', family: 'text', samples: ["'pg_class'", "repeat('x', 63)", String.raw`'a"b\c'`] },
  { name: 'char', sqlType: '"char"', family: 'text', samples: ["'a'", "'\"'", String.raw`'\'`, "'é'", "' '"] },
  { name: 'citext', sqlType: 'citext', family: 'text', samples: ["'MiXeD Case'", "'ÄÖ'", "''"] },
  { name: 'ltree', sqlType: 'ltree', family: 'text', samples: ["'Top.Science.Astronomy'", "''"] },
  { name: 'bytea', sqlType: 'bytea', family: 'bytea', samples: [String.raw`'\x'`, String.raw`'\x00ff10'`, "decode(repeat('ab', 300), 'hex')"] },
  {
    name: 'date', sqlType: 'date', family: 'date',
    samples: ["'infinity'", "'-infinity'", "'0044-03-15 BC'", "'10000-01-01'", "'9999-12-31'", "'0001-01-01'", "'2020-02-29'", "'5874897-12-31'"],
  },
  { name: 'time', sqlType: 'time', family: 'text', samples: ["'00:00:00'", "'23:59:59.999999'", "'24:00:00'", "'12:34:56.5'"] },
  { name: 'timetz', sqlType: 'timetz', family: 'text', samples: ["'00:00:00+1559'", "'23:59:59.999999-1559'", "'12:00:00+05:30'", "'01:02:03.000004+00'"] },
  {
    name: 'ts', sqlType: 'timestamp', family: 'timestamp',
    samples: ["'infinity'", "'-infinity'", "'0001-01-01 00:00:00'", "'9999-12-31 23:59:59.999999'", "'2021-03-04 05:06:07.000001'", "'0044-03-15 12:00:00 BC'", "'10000-01-01 00:00:00'", "'294276-12-31 23:59:59.999999'"],
  },
  {
    name: 'tstz', sqlType: 'timestamptz', family: 'timestamptz',
    samples: ["'2021-03-04 05:06:07.123456-08'", "'9999-12-31 23:59:59.999999+00'", "'0001-01-01 00:00:00+00'", "'infinity'", "'-infinity'", "'4713-01-01 00:00:00+00 BC'", "'1883-11-18 12:00:00 America/Los_Angeles'", "'2000-02-29 23:59:59.5+14'"],
  },
  { name: 'ts0', sqlType: 'timestamp(0) with time zone', family: 'timestamptz', samples: ["'2021-03-04 05:06:07.5+00'", "'1970-01-01 00:00:00+00'"] },
  {
    name: 'interval', sqlType: 'interval', family: 'interval',
    samples: ["'1 year 2 months 3 days 04:05:06.789'", "'-1 year +2 mons -3 days 04:05:06'", "'0'", "'-0.000001 seconds'", "'178000000 years'", "'1 mon -1 day'"],
  },
  // The extremes of the time part are accepted from PostgreSQL 15.
  { name: 'interval_extreme', sqlType: 'interval', family: 'interval', samples: ["'1 day'", "'-1 day'", "'2562047788:00:54.775807'", "'-2562047788 hours -54.775808 seconds'"], since: 150000 },
  { name: 'interval_ym', sqlType: 'interval year to month', family: 'interval', samples: ["'1-2'", "'-3 years'"] },
  {
    name: 'json', sqlType: 'json', family: 'json',
    samples: [String.raw`E'{"a": 1,\n "big": 123456789012345678901234567890.123, "s": "q\\"b\\\\ é\\n"}'`, "'null'", "'[]'", `'"str"'`, "'  {\"sp\" : [ 1 , 2 ] }  '", "'-0.0e-7'"],
  },
  {
    name: 'jsonb', sqlType: 'jsonb', family: 'json',
    samples: [String.raw`'{"a": [1, 2.50, -0, 1e400], "u": "\u00e9 \ud83d\ude00"}'`, "'{}'", "'null'", "'12345678901234567890123456789012345678901234567890'", String.raw`'{"q\"k": "\\"}'`],
  },
  {
    name: 'hstore', sqlType: 'hstore', family: 'hstore',
    samples: [`'"a"=>"1", "b"=>NULL'`, "''", String.raw`hstore(ARRAY['k"q', '=>, ', 'é ✓', 'NULL', ''], ARRAY['back\slash', '', E'line\nbreak', NULL, '{}'])`],
  },
  { name: 'uuid', sqlType: 'uuid', family: 'text', samples: ["'00000000-0000-0000-0000-000000000000'", "'FFFFFFFF-ffff-ffff-ffff-ffffffffffff'"] },
  { name: 'inet', sqlType: 'inet', family: 'text', samples: ["'192.168.0.1/24'", "'::1'", "'2001:db8::1/64'"] },
  { name: 'cidr', sqlType: 'cidr', family: 'text', samples: ["'10.0.0.0/8'", "'2001:db8::/32'"] },
  { name: 'macaddr', sqlType: 'macaddr', family: 'text', samples: ["'08:00:2b:01:02:03'"] },
  { name: 'macaddr8', sqlType: 'macaddr8', family: 'text', samples: ["'08:00:2b:01:02:03:04:05'"] },
  { name: 'bit1', sqlType: 'bit(1)', family: 'bit1', samples: ["B'1'", "B'0'"] },
  { name: 'bit5', sqlType: 'bit(5)', family: 'text', samples: ["B'10101'", "B'00000'"] },
  { name: 'varbit', sqlType: 'bit varying', family: 'text', samples: ["B''", "B'1'", "B'1010101010'"] },
  { name: 'xml', sqlType: 'xml', family: 'text', samples: [`'<a x="1">t &amp; "q"</a>'`, "'plain text'", `'<?xml version="1.0"?><r/>'`] },
  { name: 'tsvector', sqlType: 'tsvector', family: 'text', samples: [String.raw`E'a fat:2 \'quo\\\'ted\':1A'`, "to_tsvector('english', 'The quick brown foxes')", "''"] },
  { name: 'tsquery', sqlType: 'tsquery', family: 'text', samples: [`'''fat'' & !''rat'''`, "to_tsquery('english', 'foxes <-> dog')"] },
  { name: 'point', sqlType: 'point', family: 'text', samples: ["'(1,2)'", "'(-1.5e300,0.1)'"] },
  { name: 'line', sqlType: 'line', family: 'text', samples: ["'{1,2,3}'"] },
  { name: 'lseg', sqlType: 'lseg', family: 'text', samples: ["'[(1,2),(3,4)]'"] },
  { name: 'box', sqlType: 'box', family: 'text', samples: ["'(1,1),(0,0)'", "'(2.5,2),(1,-1)'"] },
  { name: 'path', sqlType: 'path', family: 'text', samples: ["'[(0,0),(1,1)]'", "'((0,0),(1,1),(2,0))'"] },
  { name: 'polygon', sqlType: 'polygon', family: 'text', samples: ["'((0,0),(1,1),(1,0))'"] },
  { name: 'circle', sqlType: 'circle', family: 'text', samples: ["'<(0,0),1.5>'"] },
  { name: 'int4range', sqlType: 'int4range', family: 'text', samples: ["'empty'", "'[1,10)'", "'(,5]'", "'(,)'"] },
  { name: 'int8range', sqlType: 'int8range', family: 'text', samples: ["'[-9223372036854775808,9223372036854775807)'"] },
  { name: 'numrange', sqlType: 'numrange', family: 'text', samples: ["'[1.5,2.50]'", "'(,NaN]'"] },
  { name: 'tsrange', sqlType: 'tsrange', family: 'text', samples: ["'[2021-01-01 00:00,infinity)'"] },
  { name: 'tstzrange', sqlType: 'tstzrange', family: 'text', samples: [`'["2021-01-01 00:00+00","2021-01-02 00:00-08")'`] },
  { name: 'daterange', sqlType: 'daterange', family: 'text', samples: ["'[2021-01-01,2021-02-01]'"] },
  { name: 'int4multirange', sqlType: 'int4multirange', family: 'text', samples: ["'{}'", "'{[1,3),[5,7)}'"], since: 140000 },
  { name: 'tstzmultirange', sqlType: 'tstzmultirange', family: 'text', samples: [`'{["2021-01-01 00:00+00",infinity)}'`], since: 140000 },
  { name: 'pg_lsn', sqlType: 'pg_lsn', family: 'text', samples: ["'0/0'", "'FFFFFFFF/FFFFFFFF'"] },
  { name: 'enum', sqlType: 'mood', family: 'text', samples: ["'sad'", `'quote"d'`, "'with space'", "'é ✓'"] },
  { name: 'composite', sqlType: 'outer_t', family: OUTER, samples: COMPOSITES },
  { name: 'dom_composite', sqlType: 'dom_outer', family: OUTER, samples: COMPOSITES },
  { name: 'rowtype', sqlType: 'pair', family: { composite: [['a', 'number'], ['b', 'text']] }, samples: ["ROW(1, 'x y')", 'ROW(NULL, NULL)', "ROW(-1, '')"] },
  { name: 'posint', sqlType: 'posint', family: 'number', samples: ['1', '2147483647'] },
  { name: 'posint2', sqlType: 'posint2', family: 'number', samples: ['5'] },
  { name: 'price', sqlType: 'price', family: 'number', samples: ['9999999999.99', '-0.07', "'NaN'"] },
  { name: 'intarr', sqlType: 'intarr', family: { array: 'number' }, samples: ["'{1,2}'", "'{{1,2},{3,4}}'", "'{}'"], noArray: true },
  { name: 'nn_text', sqlType: 'nn_text', family: 'text', samples: ["'never null'", String.raw`E'back\\slash'`], notNull: true, noArray: true },
  { name: 'email', sqlType: 'email', family: 'text', samples: ["'A@B.c'"] },
  { name: 'dom_jsonb', sqlType: 'dom_jsonb', family: 'json', samples: [String.raw`'{"n": 1e-7, "s": "\\u0000 is not in jsonb text"}'`, "'[]'"] },
  // Arrays of int2vector cannot be cast to before PostgreSQL 13.
  { name: 'int2vector', sqlType: 'int2vector', family: 'text', samples: ["'1 2 3'", "''"], noArray: SERVER_VERSION_NUM < 130000 },
  { name: 'xid8', sqlType: 'xid8', family: 'text', samples: ["'18446744073709551615'", "'0'"], since: 130000 },
  { name: 'tid', sqlType: 'tid', family: 'text', samples: ["'(0,1)'", "'(4294967295,65535)'"] },
  { name: 'regclass', sqlType: 'regclass', family: 'text', samples: ["'pg_class'"] },
  { name: 'jsonpath', sqlType: 'jsonpath', family: 'text', samples: [`'$.a[*] ? (@ > 1 && @ like_regex "^x")'`] },
  { name: 'pg_snapshot', sqlType: 'pg_snapshot', family: 'text', samples: ["'10:20:10,14,15'"], since: 130000 },
] as TypeSample[]).filter((type) => (type.since ?? 0) <= SERVER_VERSION_NUM);

/** Rows: one per sample index (the longest list), then a row of NULLs. */
export const ROWS = Math.max(...TYPES.map((type) => type.samples.length)) + 1;

export interface TableColumn {
  name: string;
  family: Family;
}

export function tableColumns(): TableColumn[] {
  return [
    { name: 'id', family: 'number' },
    ...TYPES.map((type) => ({ name: `c_${type.name}`, family: type.family })),
    ...TYPES.filter((type) => type.noArray !== true).map((type) => ({ name: `a_${type.name}`, family: { array: type.family } as Family })),
  ];
}

function arrayValue(type: TypeSample, row: number): string {
  const cast = (sample: string): string => `(${sample})::${type.sqlType}`;
  const s = type.samples.map(cast);
  const at = (i: number): string => s[i % s.length] as string;
  const arrayType = `${type.sqlType}[]`;
  switch (row) {
    case 0: return `ARRAY[${s.join(', ')}, NULL]::${arrayType}`;
    case 1: return `'{}'::${arrayType}`;
    case 2: return `ARRAY[[${at(0)}, ${at(1)}], [${at(2)}, NULL]]::${arrayType}`;
    case 3: return `ARRAY[NULL]::${arrayType}`;
    case 4: return `ARRAY[[[${at(0)}]], [[${at(1)}]]]::${arrayType}`;
    case 5: return `('[0:1]=' || ARRAY[${at(0)}, ${at(1)}]::text)::${arrayType}`;
    default: return row === ROWS - 1 ? 'NULL' : `ARRAY[${at(row)}]::${arrayType}`;
  }
}

/** CREATE TABLE and INSERT for `table`, after SETUP_TYPES. */
export function createTableSql(table: string): string {
  const columns = [
    'id int PRIMARY KEY',
    ...TYPES.map((type) => `c_${type.name} ${type.sqlType}`),
    ...TYPES.filter((type) => type.noArray !== true).map((type) => `a_${type.name} ${type.sqlType}[]`),
  ];
  const rows: string[] = [];
  for (let row = 0; row < ROWS; row++) {
    const last = row === ROWS - 1;
    const values = [
      String(row + 1),
      ...TYPES.map((type) => (last && type.notNull !== true ? 'NULL' : `(${type.samples[last ? 0 : row % type.samples.length]})::${type.sqlType}`)),
      ...TYPES.filter((type) => type.noArray !== true).map((type) => arrayValue(type, row)),
    ];
    rows.push(`(${values.join(', ')})`);
  }
  return `CREATE TABLE ${quoteIdent(table)} (${columns.join(', ')});
    INSERT INTO ${quoteIdent(table)} VALUES ${rows.join(',\n')};
    GRANT SELECT ON ${quoteIdent(table)} TO tapuser;`;
}
