// Real Singer targets load the tap's DEFAULT output of every type family, edge values included,
// and what they stored equals the source cell by cell — or differs only as the target's own
// documented mapping says (named here, and in README's compatibility table). pipelinewise-target-
// postgres (validate_records false and true), target-jsonl, target-csv; plus the per-column forms a
// user can ask for in the catalog, which make pipelinewise exact too.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import pg from 'pg';
import { selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';
import { EXPECTATION_SETTINGS, expectedSql, expectedValue, Num, parseExact, type Family } from '../integration/types-expected.js';
import { num, pipeInto, readCsv, readJsonl, sameDouble, targetsAvailable, TARGETS_DIR, type Row } from './targets.js';

const TABLE = 'compat_types';
/** Column, type, and what the tap writes for it by default (json/jsonb: the JSON text in a string). */
const COLUMNS: readonly [string, string, Family][] = [
  ['c_int2', 'smallint', 'number'], ['c_int4', 'integer', 'number'], ['c_int8', 'bigint', 'number'],
  ['c_num', 'numeric(20,6)', 'number'], ['c_numu', 'numeric', 'number'], ['c_real', 'real', 'number'], ['c_float', 'double precision', 'number'],
  ['c_bool', 'boolean', 'boolean'], ['c_bit1', 'bit(1)', 'bit1'],
  ['c_text', 'text', 'text'], ['c_varchar', 'varchar(40)', 'text'], ['c_char', 'char(5)', 'text'], ['c_uuid', 'uuid', 'text'], ['c_inet', 'inet', 'text'],
  ['c_enum', 'compat_mood', 'text'], ['c_varbit', 'varbit', 'text'], ['c_range', 'int4range', 'text'], ['c_time', 'time', 'text'],
  ['c_ts', 'timestamp', 'timestamp'], ['c_tstz', 'timestamptz', 'timestamptz'], ['c_date', 'date', 'date'], ['c_interval', 'interval', 'interval'],
  ['c_json', 'json', 'text'], ['c_jsonb', 'jsonb', 'text'],
  ['c_hstore', 'hstore', 'hstore'], ['c_pair', 'compat_pair', { composite: [['a', 'number'], ['b', 'text']] }],
  ['c_intarr', 'int[]', { array: 'number' }], ['c_textarr', 'text[]', { array: 'text' }], ['c_bytea', 'bytea', 'bytea'],
];
const ROWS = String.raw`
  (1, 1, 2, 3, 1234.5, 0.1, 1.5, 2.25, true, B'1', 'hello', 'varchar', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '192.168.0.1/24',
   'ok', B'101', '[1,10)', '12:34:56', '2021-03-04 05:06:07.123456', '2021-03-04 05:06:07.123456+02', '2021-03-04', '1 day 02:03:04',
   '{"a": 1}', '{"a": [1, 2.50]}', 'k=>v', ROW(1, 'x y'), '{1,2,3}', '{a,b}', '\x00ff'),
  (2, -32768, 2147483647, 9223372036854775807, 99999999999999.999999, 12345678901234567890.123456789, 3.4028235e38, 5e-324, false, B'0',
   E'quote " back \\ tab\t nl\n é ✓ 😀', 'x', 'é', '00000000-0000-0000-0000-000000000000', '::1/128', 'é ✓', B'', 'empty',
   '23:59:59.999999', '1999-12-31 23:59:59.999999', '2000-01-01 00:00:00.000001+08', '2020-02-29', '1 year 2 mons -3 days 04:05:06.789',
   ' {"b": 1, "a": [1, 2.50], "a": 2} ', '"a json string"', '"n"=>NULL, "q\"uote"=>"v,al"', ROW(NULL, ''), '{1,NULL,3}', '{"a,b","c\"d",NULL}', ''),
  (3, 0, 0, -9223372036854775808, -0.000001, 1e-30, -1.17549435e-38, -0, null, null, '', '', '', null, null, null, null, null, null,
   null, null, null, null, '123.4500', 'null', '', ROW(NULL, NULL), '{}', '{}', null),
  (4, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
   null, null, null, null, null, null, null),
  (5, 1, 1, 9007199254740993, 0, 0.000000000000000000001, 0, 1e300, true, B'1', 'NULL', 'null', 'x', null, null, 'sad', B'1', null, null,
   null, null, null, null, '[]', '{"big": 123456789012345678901234567890.5, "neg": -0, "esc": "\u00e9\n"}', null, null, '{{1,2},{3,4}}', '{}', '\xdeadbeef')`;

let db: TestDatabase;
let catalog: CatalogJson;
let expected: Map<number, Row>;
const streamId = (): string => `${db.name}-public-${TABLE}`;
const skip = !targetsAvailable();

before(async () => {
  if (skip) return;
  db = await createTestDatabase('compat_targets');
  await db.query(`CREATE EXTENSION IF NOT EXISTS hstore; CREATE TYPE compat_mood AS ENUM ('sad', 'ok', 'é ✓'); CREATE TYPE compat_pair AS (a int, b text);
    CREATE TABLE ${TABLE} (id int PRIMARY KEY, ${COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')});
    INSERT INTO ${TABLE} VALUES ${ROWS};
    GRANT SELECT ON ${TABLE} TO tapuser; GRANT CREATE ON DATABASE ${db.name} TO tapuser`);
  // The loaded timestamps are read back in UTC, whatever the server's own TimeZone.
  await db.query(`ALTER DATABASE ${db.name} SET TimeZone = 'UTC'`);
  catalog = selectInCatalog(await discoverCatalog(db.tapConfig()), { [streamId()]: { method: 'FULL_TABLE' } });
  expected = await sourceValues();
});

after(async () => {
  await db?.close();
});

/** Each cell as PostgreSQL says the tap must write it (types-expected.ts), by id. */
async function sourceValues(): Promise<Map<number, Row>> {
  const client = new pg.Client({ connectionString: db.superUrl, types: { getTypeParser: () => (value: string) => value } });
  await client.connect();
  try {
    await client.query(EXPECTATION_SETTINGS);
    const { rows } = await client.query<Record<string, string>>(`SELECT id, ${COLUMNS.map(([name, , family]) => `${expectedSql(name, family)} AS ${name}`).join(', ')} FROM ${TABLE} ORDER BY id`);
    return new Map(rows.map((row) => [Number(row.id), Object.fromEntries(COLUMNS.map(([name, , family]) => [name, expectedValue(parseExact(row[name] as string), family)]))]));
  } finally {
    await client.end();
  }
}

/**
 * A cell that differs, and whether the target's documented mapping explains it: `reason` names
 * it; `sameValue` says only the representation differs (CSV has no NULL).
 */
type Explain = (column: string, want: unknown, got: unknown) => { reason: string; sameValue?: boolean } | null;

interface Verdict { rows: number; identical: number; total: number; documented: Map<string, Set<string>> }

/** Columns the default output writes as JSON text in a string (hstore and composites, like json): compared parsed. */
const JSON_TEXT = new Set(['c_hstore', 'c_pair']);

function compare(t: TestContext, target: string, loaded: Map<number, Row>, explain: Explain, jsonText: ReadonlySet<string> = JSON_TEXT): Verdict {
  const verdict: Verdict = { rows: loaded.size, identical: 0, total: COLUMNS.length, documented: new Map() };
  assert.equal(loaded.size, expected.size, `${target}: rows loaded`);
  const unexplained: string[] = [];
  for (const [name] of COLUMNS) {
    let same = true;
    for (const [id, want] of expected) {
      const raw = loaded.get(id)?.[name];
      const got = jsonText.has(name) && typeof raw === 'string' && raw !== '' ? parseExact(raw) : raw;
      if (equal(want[name], got)) continue;
      const explained = explain(name, want[name], got);
      if (explained?.sameValue !== true) same = false;
      if (explained === null) unexplained.push(`row ${id} ${name}: source ${show(want[name])}, ${target} ${show(got)}`);
      else verdict.documented.set(explained.reason, new Set([...(verdict.documented.get(explained.reason) ?? []), name]));
    }
    if (same) verdict.identical++;
  }
  t.diagnostic(`${target}: ${verdict.rows} rows loaded, ${verdict.identical} of ${verdict.total} columns identical in value${[...verdict.documented].map(([reason, columns]) => `; ${reason} (${[...columns].join(', ')})`).join('')}`);
  assert.deepEqual(unexplained, [], `${target}: values changed that no documented mapping explains`);
  return verdict;
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, replacer) === JSON.stringify(b, replacer);
}

function show(value: unknown): string {
  return JSON.stringify(value, replacer)?.slice(0, 120) ?? 'undefined';
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Num) return `#${value.canonical}`;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
  return value;
}

const FLOATS = 'JSON numbers become floats (15-17 significant digits): numeric_as_string, or the column\'s schema as a string, keeps them exact';
const EMPTY_AS_NULL = 'an empty string loads as NULL';
const CONTROL_ESCAPED = 'control characters in strings (tab, newline) load as their JSON escapes (\\t, \\n)';
const NULL_EMPTY = 'NULL is an empty cell';

/**
 * pipelinewise writes each value with json.dumps into a CSV it COPYs: an empty string and NULL
 * alike, and a control character as its JSON escape; `number` is double precision.
 */
const pipelinewiseMapping: Explain = (_column, want, got) => {
  if (want === '' && got === null) return { reason: EMPTY_AS_NULL };
  if (sameDouble(want, got)) return { reason: FLOATS };
  if (typeof want === 'string' && got === jsonEscapedControls(want)) return { reason: CONTROL_ESCAPED };
  return null;
};

/** The text with each control character as its JSON escape (what json.dumps writes for it). */
function jsonEscapedControls(text: string): string {
  return [...text].map((ch) => (ch.charCodeAt(0) < 32 ? JSON.stringify(ch).slice(1, -1) : ch)).join('');
}

/** pipelinewise-target-postgres into its own schema of the test database; the table read back as JSON in SQL. */
async function loadPipelinewise(schema: string, validate: boolean, selected: CatalogJson = catalog): Promise<Map<number, Row>> {
  const piped = await pipeInto(['--config', writeJson({ ...db.tapConfig() }), '--catalog', writeJson(selected)], 'target-postgres', {
    host: db.host, port: db.port, user: 'tapuser', password: 'tappass', dbname: db.name, default_target_schema: schema, validate_records: validate,
  });
  assert.equal(piped.tapCode, 0, piped.stderr);
  assert.equal(piped.targetCode, 0, `pipelinewise-target-postgres failed:\n${piped.stderr.slice(-3000)}`);
  const columns = await db.query<{ column_name: string; data_type: string }>('SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', [schema, TABLE]);
  const asJson = (name: string, type: string): string => {
    const c = `t.${name}`;
    if (type === 'timestamp without time zone') return `to_json(to_char(${c}, 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'))`;
    if (['double precision', 'numeric', 'smallint', 'integer', 'bigint'].includes(type)) return `CASE WHEN ${c} IS NULL THEN 'null'::json ELSE format('%s', ${c})::json END`;
    if (type === 'jsonb') return `COALESCE(${c}::json, 'null'::json)`;
    return `to_json(${c})`;
  };
  const rows = await db.query<Record<string, string>>(`SELECT t.id, ${columns.filter((c) => c.column_name !== 'id').map((c) => `COALESCE(${asJson(c.column_name, c.data_type)}, 'null'::json)::text AS ${c.column_name}`).join(', ')} FROM ${schema}.${TABLE} t ORDER BY t.id`);
  return new Map(rows.map((row) => [Number(row.id), Object.fromEntries(COLUMNS.map(([name]) => [name, row[name] === undefined ? undefined : parseExact(row[name] as string)]))]));
}

let fileCounter = 0;
function writeJson(value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'tap-compat-'));
  const path = join(dir, `f${fileCounter++}.json`);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

test('the targets are here (../shared/targets)', (t) => {
  if (skip) t.skip(`no ${TARGETS_DIR}: this clone is outside the workspace that holds the targets; the compatibility suite needs them`);
});

test('pipelinewise-target-postgres, validate_records false: loads every row; a scalar jsonb no longer fails the batch', async (t) => {
  if (skip) return t.skip('targets absent');
  const loaded = await loadPipelinewise('pw_plain', false);
  const verdict = compare(t, 'pipelinewise-target-postgres', loaded, pipelinewiseMapping);
  assert.deepEqual([...verdict.documented.keys()].sort(), [CONTROL_ESCAPED, EMPTY_AS_NULL, FLOATS].sort());
  // The regression: '"a json string"' in a jsonb column failed the whole batch (exit 1, 0 rows).
  assert.equal(loaded.get(2)?.c_jsonb, '"a json string"');
  assert.equal(loaded.get(3)?.c_jsonb, 'null', 'a JSON null stays apart from SQL NULL');
  assert.equal(loaded.get(4)?.c_jsonb, null);
});

test('pipelinewise-target-postgres, validate_records true: the records validate and load the same', async (t) => {
  if (skip) return t.skip('targets absent');
  compare(t, 'pipelinewise-target-postgres (validate_records)', await loadPipelinewise('pw_valid', true), pipelinewiseMapping);
});

test('per-column forms from the catalog: numbers as strings load into pipelinewise exactly, jsonb as [null, object, array] makes a jsonb column (compared in SQL)', async (t) => {
  if (skip) return t.skip('targets absent');
  const edited = JSON.parse(JSON.stringify(catalog)) as CatalogJson;
  const properties = (edited.streams.find((s) => s.tap_stream_id === streamId())!.schema as { properties: Record<string, unknown> }).properties;
  properties.c_num = { type: ['null', 'string'] };
  properties.c_numu = { type: ['null', 'string'] };
  properties.c_jsonb = { type: ['null', 'object', 'array'] };
  // Without validation: a validating target rejects a scalar document under [null, object, array].
  await loadPipelinewise('pw_forms', false, edited);
  const [check] = await db.query<{ numbers: string; types: string }>(`SELECT
      count(*) FILTER (WHERE t.c_num::numeric IS DISTINCT FROM s.c_num OR t.c_numu::numeric IS DISTINCT FROM s.c_numu)::text AS numbers,
      (SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY column_name) FROM information_schema.columns
        WHERE table_schema = 'pw_forms' AND column_name IN ('c_num', 'c_numu', 'c_jsonb')) AS types
    FROM ${TABLE} s JOIN pw_forms.${TABLE} t USING (id)`);
  const differing = await db.query<{ id: number; source: string | null; loaded: string | null }>(`SELECT id, s.c_jsonb::text AS source, t.c_jsonb::text AS loaded FROM ${TABLE} s JOIN pw_forms.${TABLE} t USING (id) WHERE t.c_jsonb IS DISTINCT FROM s.c_jsonb ORDER BY id`);
  t.diagnostic(`pipelinewise with per-column forms: ${check!.types}; numbers differing ${check!.numbers}; jsonb: the scalar document loads, and its documented mapping shows in ${JSON.stringify(differing)}`);
  assert.equal(check!.numbers, '0', 'numbers as strings load exactly');
  assert.equal(check!.types, 'c_jsonb jsonb, c_num character varying, c_numu character varying');
  // The [null, object, array] form's documented mapping in pipelinewise: SQL NULL loads as the JSON
  // null (it json-dumps None), and numbers inside documents go through floats. Every other row is equal.
  assert.deepEqual(differing.map((row) => row.id), [4, 5]);
  assert.deepEqual([differing[0]!.source, differing[0]!.loaded], [null, 'null']);
  assert.match(differing[1]!.loaded ?? '', /"big": 123456789012345680000000000000/);
});

test('target-jsonl: every value identical (numbers read as Decimal)', async (t) => {
  if (skip) return t.skip('targets absent');
  const dir = mkdtempSync(join(tmpdir(), 'tap-jsonl-'));
  const piped = await pipeInto(['--config', writeJson(db.tapConfig()), '--catalog', writeJson(catalog)], 'target-jsonl', { destination_path: dir, do_timestamp_file: false });
  assert.equal(piped.tapCode, 0, piped.stderr);
  assert.equal(piped.targetCode, 0, `target-jsonl failed:\n${piped.stderr.slice(-3000)}`);
  const loaded = new Map(readJsonl(dir, TABLE).map((record) => [Number((record.id as Num).canonical.replace(/e0$/, '')), record]));
  const verdict = compare(t, 'target-jsonl', loaded, () => null);
  assert.equal(verdict.identical, verdict.total);
});

test('target-csv: loads every row; numbers as floats and arrays as Python lists are its documented mapping, and the string forms make every value exact', async (t) => {
  if (skip) return t.skip('targets absent');
  const dir = mkdtempSync(join(tmpdir(), 'tap-csv-'));
  const piped = await pipeInto(['--config', writeJson(db.tapConfig()), '--catalog', writeJson(catalog)], 'target-csv', { destination_path: dir });
  assert.equal(piped.tapCode, 0, piped.stderr);
  assert.equal(piped.targetCode, 0, `target-csv failed:\n${piped.stderr.slice(-3000)}`);
  const loaded = new Map(readCsv(dir, TABLE).map((row) => [Number(row.id), fromCsv(row)]));
  const csvMapping: Explain = (column, want, got) => {
    if (want === null && got === '') return { reason: NULL_EMPTY, sameValue: true };
    if (sameDouble(want, got)) return { reason: FLOATS };
    const family = COLUMNS.find(([name]) => name === column)![2];
    if (typeof family === 'object' && 'array' in family) return { reason: 'arrays are written as Python lists (give the column the string form to keep their JSON)' };
    return null;
  };
  compare(t, 'target-csv', loaded, csvMapping);

  // With the forms a user can ask for: numbers and arrays as strings, every value is its exact text.
  const forms = JSON.parse(JSON.stringify(catalog)) as CatalogJson;
  const properties = (forms.streams.find((s) => s.tap_stream_id === streamId())!.schema as { properties: Record<string, unknown> }).properties;
  for (const column of ['c_num', 'c_numu', 'c_real', 'c_float', 'c_intarr', 'c_textarr']) properties[column] = { type: ['null', 'string'] };
  const exactDir = mkdtempSync(join(tmpdir(), 'tap-csv-'));
  const exact = await pipeInto(['--config', writeJson(db.tapConfig()), '--catalog', writeJson(forms)], 'target-csv', { destination_path: exactDir });
  assert.equal(exact.targetCode, 0, exact.stderr.slice(-3000));
  const strings = new Map(readCsv(exactDir, TABLE).map((row) => [Number(row.id), fromCsv(row, true)]));
  const verdict = compare(t, 'target-csv (numbers and arrays as strings)', strings, (_column, want, got) => (want === null && got === '' ? { reason: NULL_EMPTY, sameValue: true } : null), new Set([...JSON_TEXT, 'c_intarr', 'c_textarr']));
  assert.deepEqual([...verdict.documented.keys()], [NULL_EMPTY]);
  assert.equal(verdict.identical, verdict.total);
});

/** A CSV row as comparable values: numbers and booleans parsed back, text as is. */
function fromCsv(row: Row, numbersAsText = false): Row {
  return Object.fromEntries(COLUMNS.map(([name, , family]) => {
    const text = row[name] as string | undefined;
    if (text === undefined) return [name, undefined];
    if (text === '') return [name, ''];
    if (family === 'number' && numbersAsText) return [name, num(text)];
    if (family === 'number' && /^-?[\d.]+(e[+-]?\d+)?$/i.test(text)) return [name, num(text.replace(/\.0$/, ''))];
    if (family === 'boolean' || family === 'bit1') return [name, text === 'True' ? true : text === 'False' ? false : text];
    return [name, text];
  }));
}
