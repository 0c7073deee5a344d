// Every mistake a user or a server can cause, through the real CLI, one row each: the exit code,
// the error code (never INTERNAL), one error line, and no RECORD where the run must stop. Rows
// that may safely go on say so with a warning and exit 0.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { selectInCatalog, type CatalogJson, type Selection } from '../harness/catalog-select.js';
import { runTap, type TapResult } from '../harness/run-cli.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

let db: TestDatabase;
let discovered: CatalogJson;
let closedPort = 0;
const id = (table: string, schema = 'public'): string => `${db.name}-${schema}-${table}`;

before(async () => {
  db = await createTestDatabase('mistakes');
  await db.query(`
    CREATE SCHEMA other; GRANT USAGE ON SCHEMA other TO tapuser;
    CREATE TABLE items (id int PRIMARY KEY, name text, updated_at timestamptz, created timestamp);
    INSERT INTO items SELECT g, 'item ' || g, now(), now()::timestamp FROM generate_series(1, 20) g;
    CREATE TABLE other.items (id int PRIMARY KEY, name text);
    CREATE VIEW items_view AS SELECT id, name FROM items;
    CREATE TABLE gone (id int PRIMARY KEY);
    CREATE TABLE keyed (id int PRIMARY KEY, v int);
    CREATE TABLE revoked (id int PRIMARY KEY);
    CREATE TABLE drifting (id int PRIMARY KEY, v int);
    GRANT SELECT ON ALL TABLES IN SCHEMA public, other TO tapuser;
  `);
  await db.query("SELECT pg_create_logical_replication_slot('stitch_' || current_database(), 'wal2json')");
  discovered = await discoverCatalog(db.tapConfig());
  // Changes after discovery, each one a case below.
  await db.query('DROP TABLE gone; ALTER TABLE keyed DROP CONSTRAINT keyed_pkey, DROP COLUMN id; REVOKE SELECT ON revoked FROM tapuser; ALTER TABLE drifting ADD COLUMN w text');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

after(async () => {
  await db?.close();
});

interface Case {
  /** Defaults to a sync: --config @config --catalog @catalog [--state @state]. */
  args?: string[];
  config?: Record<string, unknown> | string | null;
  catalog?: CatalogJson | Record<string, unknown> | string;
  state?: unknown;
  exit: number;
  /** The error code of a failing run (exit 1). */
  code?: string;
  /** What stderr must say (the hint, the key, the warning). */
  says?: RegExp;
}

const select = (picks: Record<string, Selection>): CatalogJson => selectInCatalog(discovered, picks);
const items = (selection: Selection = { method: 'FULL_TABLE' }): CatalogJson => select({ [id('items')]: selection });
const bookmark = (method: string, extra: Record<string, unknown>): unknown => ({ bookmarks: { [id('items')]: { last_replication_method: method, ...extra } } });
const incremental = (key = 'updated_at'): CatalogJson => items({ method: 'INCREMENTAL', replicationKey: key });

const CASES: [string, () => Case][] = [
  // Config
  ['config file missing', () => ({ args: ['--config', '/nonexistent/c.json', '--discover'], exit: 1, code: 'CONFIG_NOT_FOUND' })],
  ['config not JSON', () => ({ config: '{"user": "x",', args: ['--config', '@config', '--discover'], exit: 1, code: 'CONFIG_INVALID_JSON' })],
  ['config is an array', () => ({ config: '[1]', args: ['--config', '@config', '--discover'], exit: 1, code: 'CONFIG_INVALID' })],
  ['config without user', () => ({ config: withoutKey('user'), args: ['--config', '@config', '--discover'], exit: 1, code: 'CONFIG_INVALID', says: /"user"/ })],
  ['port is not a number', () => ({ config: db.tapConfig({ port: 'abc' }), args: ['--config', '@config', '--discover'], exit: 1, code: 'CONFIG_INVALID', says: /"port"/ })],
  ['port out of range', () => ({ config: db.tapConfig({ port: 70000 }), args: ['--config', '@config', '--discover'], exit: 1, code: 'CONFIG_INVALID' })],
  ['unknown sslmode', () => ({ config: db.tapConfig({ sslmode: 'bogus' }), args: ['--config', '@config', '--discover'], exit: 1, code: 'CONFIG_INVALID', says: /sslmode/ })],
  ['no password', () => ({ config: withoutKey('password'), args: ['--config', '@config', '--discover'], exit: 1, code: 'CONFIG_INVALID', says: /asks for a password/ })],
  ['password misspelt passwrd', () => ({ config: { ...withoutKey('password'), passwrd: 'tappass' }, args: ['--config', '@config', '--discover'], exit: 1, code: 'CONFIG_INVALID', says: /did you mean password/ })],
  ['wrong password', () => ({ config: db.tapConfig({ password: 'not-it' }), args: ['--config', '@config', '--discover'], exit: 1, code: 'PG_AUTH_FAILED' })],
  ['unknown database', () => ({ config: db.tapConfig({ dbname: 'no_such_db' }), args: ['--config', '@config', '--discover'], exit: 1, code: 'PG_DATABASE_NOT_FOUND' })],
  ['nothing listens on the port', () => ({ config: db.tapConfig({ port: closedPort }), args: ['--config', '@config', '--discover'], exit: 1, code: 'PG_UNREACHABLE' })],
  ['slot_name is a list', () => ({ config: db.tapConfig({ slot_name: ['a', 'b'] }), exit: 1, code: 'CONFIG_INVALID', says: /slot_name/ })],
  ['slot_name one name, LOG_BASED stream in another database', () => ({ config: db.tapConfig({ dbname: 'postgres', slot_name: 'stitch_x' }), catalog: items({ method: 'LOG_BASED' }), exit: 1, code: 'CONFIG_INVALID', says: /give slot_name as a map/ })],
  ['schema_drift has an unknown value', () => ({ config: db.tapConfig({ schema_drift: 'maybe' }), exit: 1, code: 'CONFIG_INVALID' })],
  ['state_interval_rows is 0', () => ({ config: db.tapConfig({ state_interval_rows: 0 }), exit: 1, code: 'CONFIG_INVALID' })],
  ['a state_interval_rows that is not a number', () => ({ config: db.tapConfig({ state_interval_rows: 'often' }), exit: 1, code: 'CONFIG_INVALID' })],
  // Catalog and selection
  ['catalog file missing', () => ({ args: ['--config', '@config', '--catalog', '/nonexistent/k.json'], exit: 1, code: 'CATALOG_NOT_FOUND' })],
  ['catalog not JSON', () => ({ catalog: '{"streams": [', exit: 1, code: 'CATALOG_INVALID_JSON' })],
  ['catalog without streams', () => ({ catalog: { nope: 1 }, exit: 1, code: 'CATALOG_INVALID' })],
  ['a stream without tap_stream_id', () => ({ catalog: { streams: [{ table_name: 't', stream: 't', schema: {}, metadata: [] }] }, exit: 1, code: 'CATALOG_INVALID' })],
  ['INCREMENTAL without replication-key', () => ({ catalog: items({ method: 'INCREMENTAL' }), exit: 1, code: 'SELECTION_INVALID', says: /replication-key/ })],
  ['replication-key that is not a column', () => ({ catalog: items({ method: 'INCREMENTAL', replicationKey: 'nope' }), exit: 1, code: 'SELECTION_INVALID' })],
  ['unknown replication method', () => ({ catalog: items({ method: 'SNAPSHOT' }), exit: 1, code: 'SELECTION_INVALID' })],
  ['LOG_BASED on a view', () => ({ catalog: select({ [id('items_view')]: { method: 'LOG_BASED', viewKeys: ['id'] } }), exit: 1, code: 'SELECTION_INVALID' })],
  ['no replication method and no default', () => ({ catalog: withoutMethod(), exit: 1, code: 'SELECTION_INVALID', says: /default_replication_method/ })],
  ['two selected streams with one stream name', () => ({ catalog: select({ [id('items')]: { method: 'FULL_TABLE' }, [id('items', 'other')]: { method: 'FULL_TABLE' } }), exit: 1, code: 'STREAM_NAME_COLLISION' })],
  ['a table dropped after discovery', () => ({ catalog: select({ [id('gone')]: { method: 'FULL_TABLE' } }), exit: 1, code: 'TABLE_NOT_FOUND', says: /--discover/ })],
  ['a key column dropped after discovery', () => ({ catalog: select({ [id('keyed')]: { method: 'FULL_TABLE' } }), exit: 1, code: 'SELECTION_INVALID', says: /key column "id"/ })],
  ['a column added after discovery, schema_drift fail', () => ({ config: db.tapConfig({ schema_drift: 'fail' }), catalog: select({ [id('drifting')]: { method: 'FULL_TABLE' } }), exit: 1, code: 'SCHEMA_DRIFT', says: /"w" was added/ })],
  ['SELECT revoked after discovery', () => ({ catalog: select({ [id('revoked')]: { method: 'FULL_TABLE' } }), exit: 1, code: 'PG_PERMISSION_DENIED', says: /GRANT SELECT ON "public"\."revoked" TO "tapuser"/ })],
  ['LOG_BASED without a slot of that name', () => ({ config: db.tapConfig({ slot_name: 'no_such_slot' }), catalog: items({ method: 'LOG_BASED' }), exit: 1, code: 'SLOT_NOT_FOUND', says: /pg_create_logical_replication_slot/ })],
  // State
  ['state file missing', () => ({ args: ['--config', '@config', '--catalog', '@catalog', '--state', '/nonexistent/s.json'], exit: 1, code: 'STATE_NOT_FOUND' })],
  ['state not JSON', () => ({ state: '{"bookmarks": }', exit: 1, code: 'STATE_INVALID_JSON' })],
  ['state is an array', () => ({ state: '[]', exit: 1, code: 'STATE_INVALID' })],
  ['bookmarks is not an object', () => ({ state: { bookmarks: [1] }, exit: 1, code: 'STATE_INVALID' })],
  ['currently_syncing is a number', () => ({ state: { bookmarks: {}, currently_syncing: 5 }, exit: 1, code: 'STATE_INVALID' })],
  ['version is "abc"', () => ({ state: bookmark('FULL_TABLE', { version: 'abc' }), exit: 1, code: 'STATE_INVALID', says: /"version"/ })],
  ['version is negative', () => ({ state: bookmark('FULL_TABLE', { version: -5 }), exit: 1, code: 'STATE_INVALID', says: /positive integer/ })],
  ['lsn is "abc"', () => ({ catalog: items({ method: 'LOG_BASED' }), state: bookmark('LOG_BASED', { version: 1, lsn: 'abc' }), exit: 1, code: 'STATE_INVALID', says: /"lsn"/ })],
  ['lsn is -5', () => ({ catalog: items({ method: 'LOG_BASED' }), state: bookmark('LOG_BASED', { version: 1, lsn: -5 }), exit: 1, code: 'STATE_INVALID' })],
  ['lsn beyond the server\'s WAL', () => ({ catalog: items({ method: 'LOG_BASED' }), state: bookmark('LOG_BASED', { version: 1, lsn: '999999999999999' }), exit: 1, code: 'STATE_LSN_AHEAD' })],
  ['replication_key_value is an object', () => ({ catalog: incremental(), state: bookmark('INCREMENTAL', { replication_key: 'updated_at', replication_key_value: { a: 1 } }), exit: 1, code: 'STATE_INVALID' })],
  ['replication_key_value is true', () => ({ catalog: incremental(), state: bookmark('INCREMENTAL', { replication_key: 'updated_at', replication_key_value: true }), exit: 1, code: 'STATE_INVALID' })],
  ['replication_key_value "not-a-date" for a timestamptz key', () => ({ catalog: incremental(), state: bookmark('INCREMENTAL', { replication_key: 'updated_at', replication_key_value: 'not-a-date' }), exit: 1, code: 'STATE_INVALID', says: /timestamp with time zone/ })],
  ['replication_key_value 12345 for a timestamp key', () => ({ catalog: incremental('created'), state: bookmark('INCREMENTAL', { replication_key: 'created', replication_key_value: 12345 }), exit: 1, code: 'STATE_INVALID', says: /timestamp without time zone/ })],
  ['last_pk_fetched of the wrong type', () => ({ state: bookmark('FULL_TABLE', { version: 1, last_pk_fetched: { id: 'abc' } }), exit: 1, code: 'STATE_INVALID', says: /last_pk_fetched\.id/ })],
  ['last_pk_fetched is not an object', () => ({ state: bookmark('FULL_TABLE', { version: 1, last_pk_fetched: 'x' }), exit: 1, code: 'STATE_INVALID' })],
  ['last_pk_fetched value is an object', () => ({ state: bookmark('FULL_TABLE', { version: 1, last_pk_fetched: { id: { x: 1 } } }), exit: 1, code: 'STATE_INVALID' })],
  // Usage
  ['no --config', () => ({ args: ['--discover'], exit: 2 })],
  ['--select with --catalog', () => ({ args: ['--config', '@config', '--catalog', '@catalog', '--select', '*.*'], exit: 2, says: /--select marks streams/ })],
  ['--replication-key without INCREMENTAL', () => ({ args: ['--config', '@config', '--discover', '--select', '*.*', '--replication-key', 'id'], exit: 2 })],
  ['INCREMENTAL --select without --replication-key', () => ({ args: ['--config', '@config', '--discover', '--select', '*.*', '--replication-method', 'INCREMENTAL'], exit: 2 })],
  ['--exclude without --select', () => ({ args: ['--config', '@config', '--discover', '--exclude', 'x.*'], exit: 2 })],
  ['--accept-lsn-gap without --catalog', () => ({ args: ['--config', '@config', '--discover', '--accept-lsn-gap'], exit: 2 })],
  ['--select pattern that matches nothing', () => ({ args: ['--config', '@config', '--discover', '--select', 'nosuch.*'], exit: 1, code: 'SELECTION_INVALID', says: /"nosuch\.\*" matched no stream/ })],
  // Mistakes that may safely go on: a warning that says what happens, exit 0.
  ['a state of another tap (streams unknown here)', () => ({ state: { bookmarks: { 'shop-public-orders': { version: 1 } } }, exit: 0, says: /does not have.*kept unchanged/ })],
  ['last_pk_fetched naming a column that is not the key', () => ({ state: bookmark('FULL_TABLE', { version: 1, last_pk_fetched: { sku: 5 } }), exit: 0, says: /full copy starts again/ })],
  ['--select nosuch with --allow-empty', () => ({ args: ['--config', '@config', '--discover', '--select', 'nosuch.*', '--allow-empty'], exit: 0, says: /matched no stream/ })],
  ['--replication-key on tables lacking it', () => ({ args: ['--config', '@config', '--discover', '--select', 'public.*', '--replication-method', 'INCREMENTAL', '--replication-key', 'updated_at'], exit: 0, says: /left unselected, no column "updated_at"/ })],
];

function withoutKey(key: string): Record<string, unknown> {
  const config = db.tapConfig();
  delete config[key];
  return config;
}

function withoutMethod(): CatalogJson {
  const catalog = items();
  const top = catalog.streams.find((s) => s.tap_stream_id === id('items'))!.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
  delete top['replication-method'];
  return catalog;
}

function run(c: Case): Promise<TapResult> {
  const files: Record<string, unknown> = {};
  if (c.config !== null) files.config = c.config ?? db.tapConfig();
  files.catalog = c.catalog ?? items();
  let args = c.args;
  if (args === undefined) {
    args = ['--config', '@config', '--catalog', '@catalog'];
    if (c.state !== undefined) args.push('--state', '@state');
  }
  if (c.state !== undefined) files.state = c.state;
  return runTap(args, { files });
}

/** stderr as a person reads it: each JSON log line's message and hint, unescaped. */
function readable(stderr: string): string {
  return stderr.split('\n').map((line) => {
    if (!line.startsWith('{')) return line;
    const entry = JSON.parse(line) as { msg?: string; hint?: string };
    return `${entry.msg ?? ''} ${entry.hint ?? ''}`;
  }).join('\n');
}

function errorLines(stderr: string): Record<string, unknown>[] {
  return stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => (line.level as number) >= 50);
}

test(`the table has at least 40 mistakes (${CASES.length})`, () => {
  assert.ok(CASES.length >= 40);
});

for (const [name, make] of CASES) {
  test(`mistake: ${name}`, async () => {
    const c = make();
    const result = await run(c);
    assert.equal(result.code, c.exit, `exit\n${result.stderr}`);
    assert.doesNotMatch(result.stderr, /"code":"INTERNAL"/, 'never INTERNAL');
    if (c.exit !== 0) assert.doesNotMatch(result.stdout, /"type":"RECORD"/, 'no RECORD where the run stops');
    if (c.code !== undefined) {
      const errors = errorLines(result.stderr);
      assert.equal(errors.length, 1, `one error line:\n${result.stderr}`);
      assert.equal(errors[0]!.code, c.code, result.stderr);
      assert.ok(String(errors[0]!.hint ?? '').length > 10, 'a hint says what to do');
    }
    if (c.says !== undefined) assert.match(readable(result.stderr), c.says);
  });
}
