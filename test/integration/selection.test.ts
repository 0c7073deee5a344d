import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findStream, messagesOfType, records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { runTap, type TapResult } from '../harness/run-cli.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

let db: TestDatabase;
let second: TestDatabase;

before(async () => {
  db = await createTestDatabase('selection');
  second = await createTestDatabase('selection_two');
  await db.query(`
    CREATE SCHEMA audit;
    CREATE TABLE public.orders (id int PRIMARY KEY, total numeric(10,2), updated_at timestamptz DEFAULT now());
    CREATE TABLE public.audit_log (id int PRIMARY KEY, what text);
    CREATE TABLE public.customers (id int PRIMARY KEY, name text);
    CREATE TABLE audit.orders (id int PRIMARY KEY, change text);
    CREATE VIEW public.order_view AS SELECT id, total FROM public.orders;
    INSERT INTO public.orders VALUES (1, 10.50), (2, 20.25);
    INSERT INTO public.audit_log VALUES (1, 'x');
    INSERT INTO public.customers VALUES (1, 'Ann');
    INSERT INTO audit.orders VALUES (7, 'created');
    GRANT USAGE ON SCHEMA audit TO tapuser;
    GRANT SELECT ON ALL TABLES IN SCHEMA public, audit TO tapuser;
  `);
  await second.query('CREATE TABLE public.items (id int PRIMARY KEY, sku text); INSERT INTO public.items VALUES (1, \'A-1\'); GRANT SELECT ON public.items TO tapuser;');
});

after(async () => {
  await db?.close();
  await second?.close();
});

function discover(extra: string[] = [], config = db.tapConfig()): Promise<CatalogJson> {
  return discoverCatalog(config, extra);
}

function selectedIds(catalog: CatalogJson): string[] {
  return catalog.streams.filter((s) => s.metadata.find((m) => m.breadcrumb.length === 0)!.metadata.selected === true).map((s) => s.tap_stream_id).sort();
}

function sync(catalog: CatalogJson, config = db.tapConfig()): Promise<TapResult> {
  return runSync(config, catalog);
}

test('--select and --exclude patterns mark streams in the catalog', async () => {
  const catalog = await discover(['--select', 'public.*', '--exclude', 'public.audit_*']);
  const n = db.name;
  assert.deepEqual(selectedIds(catalog), [`${n}-public-customers`, `${n}-public-order_view`, `${n}-public-orders`].sort());
  const md = findStream(catalog, `${n}-public-orders`).metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
  assert.equal(md['replication-method'], 'FULL_TABLE');
});

test('"all tables except views": --select "*.*" --no-views', async () => {
  const catalog = await discover(['--select', '*.*', '--no-views']);
  const n = db.name;
  assert.deepEqual(selectedIds(catalog), [`${n}-audit-orders`, `${n}-public-audit_log`, `${n}-public-customers`, `${n}-public-orders`].sort());
  // public.orders and audit.orders share the stream name "orders": refused before any message.
  const refused = await sync(catalog);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /STREAM_NAME_COLLISION/);
  assert.equal(refused.stdout, '');
  const result = await sync(catalog, db.tapConfig({ include_database_in_destination_stream_name: true }));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(records(result.lines).length, 5);
  assert.deepEqual([...new Set(messagesOfType<{ stream: string }>(result.lines, 'SCHEMA').map((m) => m.stream))].sort(),
    [`${n}_audit_orders`, `${n}_public_audit_log`, `${n}_public_customers`, `${n}_public_orders`]);
});

test('--select with INCREMENTAL and a replication key', async () => {
  const catalog = await discover(['--select', 'public.orders', '--replication-method', 'INCREMENTAL', '--replication-key', 'updated_at']);
  const result = await sync(catalog);
  assert.equal(result.code, 0, result.stderr);
  const schema = messagesOfType<{ bookmark_properties: string[] }>(result.lines, 'SCHEMA')[0]!;
  assert.deepEqual(schema.bookmark_properties, ['updated_at']);
});

test('discovery offers valid-replication-keys', async () => {
  const catalog = await discover();
  const md = findStream(catalog, `${db.name}-public-orders`).metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
  assert.deepEqual(md['valid-replication-keys'], ['id', 'total', 'updated_at']);
});

test('default_replication_method applies to selected streams without a method', async () => {
  const catalog = await discover();
  const entry = findStream(catalog, `${db.name}-public-customers`);
  entry.metadata.find((m) => m.breadcrumb.length === 0)!.metadata.selected = true;
  const without = await sync(catalog);
  assert.equal(without.code, 1);
  assert.match(without.stderr, /SELECTION_INVALID/);
  assert.match(without.stderr, new RegExp(`stream ${db.name}-public-customers: no replication method`));
  const withDefault = await sync(catalog, db.tapConfig({ default_replication_method: 'FULL_TABLE' }));
  assert.equal(withDefault.code, 0, withDefault.stderr);
  assert.deepEqual(records(withDefault.lines), [{ id: 1, name: 'Ann' }]);
});

test('include_schemas_in_destination_stream_name keeps same-named tables apart', async () => {
  const config = db.tapConfig({ include_schemas_in_destination_stream_name: true });
  const catalog = await discover(['--select', '*.orders'], config);
  const result = await sync(catalog, config);
  assert.equal(result.code, 0, result.stderr);
  const streams = [...new Set(messagesOfType<{ stream: string }>(result.lines, 'RECORD').map((m) => m.stream))].sort();
  assert.deepEqual(streams, ['audit_orders', 'public_orders']);
});

test('streams from several databases sync in one run', async () => {
  const config = db.tapConfig({ filter_dbs: `${db.name},${second.name}` });
  const catalog = await discover(['--select', `${db.name}.public.customers`, `${second.name}.public.items`], config);
  const result = await sync(catalog, config);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(records(result.lines, 'customers'), [{ id: 1, name: 'Ann' }]);
  assert.deepEqual(records(result.lines, 'items'), [{ id: 1, sku: 'A-1' }]);
});

const INVALID: [string, (catalog: CatalogJson) => CatalogJson, RegExp][] = [
  ['INCREMENTAL without a replication key', (c) => selectInCatalog(c, { [`${'DB'}-public-orders`]: { method: 'INCREMENTAL' } }), /INCREMENTAL replication needs a "replication-key"/],
  ['LOG_BASED on a view', (c) => selectInCatalog(c, { 'DB-public-order_view': { method: 'LOG_BASED' } }), /LOG_BASED replication is not possible for a view/],
  ['a view key that is not a column', (c) => selectInCatalog(c, { 'DB-public-order_view': { viewKeys: ['nope'] } }), /key column "nope" is not a column/],
  ['a replication key that is not a column', (c) => selectInCatalog(c, { 'DB-public-orders': { method: 'INCREMENTAL', replicationKey: 'nope' } }), /replication-key "nope" is not a column/],
  ['an unknown replication method', (c) => selectInCatalog(c, { 'DB-public-orders': { method: 'SOMETIMES' } }), /unknown replication method "SOMETIMES"/],
];

for (const [what, select, message] of INVALID) {
  test(`an invalid selection fails before reading, naming the stream: ${what}`, async () => {
    const discovered = JSON.parse(JSON.stringify(await discover()).replaceAll(`${db.name}-`, 'DB-')) as CatalogJson;
    const catalog = JSON.parse(JSON.stringify(select(discovered)).replaceAll('DB-', `${db.name}-`)) as CatalogJson;
    const result = await sync(catalog);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '', 'nothing is read or written');
    const error = JSON.parse(result.stderr.trim().split('\n').at(-1)!) as { code: string; msg: string };
    assert.equal(error.code, 'SELECTION_INVALID');
    assert.match(error.msg, new RegExp(`^stream ${db.name}-public-`));
    assert.match(error.msg, message);
  });
}

test('an invalid state names the bad key', async () => {
  const catalog = selectInCatalog(await discover(), { [`${db.name}-public-customers`]: {} });
  const result = await runTap(['--config', '@config', '--catalog', '@catalog', '--state', '@state'], {
    files: { config: db.tapConfig(), catalog, state: { bookmarks: { [`${db.name}-public-customers`]: 'oops' } } },
  });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /"code":"STATE_INVALID"/);
  assert.match(result.stderr, new RegExp(`bookmarks\\.${db.name}-public-customers`));
});
