import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findStream, type CatalogJson } from '../harness/catalog-select.js';
import { runTap } from '../harness/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

let db: TestDatabase;
let other: TestDatabase;

before(async () => {
  db = await createTestDatabase('discovery');
  other = await createTestDatabase('discovery_other');
  await db.query(`
    CREATE SCHEMA sales;
    CREATE TABLE public.plain (id int PRIMARY KEY, name varchar(20) NOT NULL, note text);
    CREATE TABLE public.composite (a int, b text, c date, PRIMARY KEY (b, a));
    CREATE TABLE public."Mixed Case" ("Weird ""col"" name" bigint PRIMARY KEY, "has space" text);
    CREATE TABLE sales.orders (order_id bigint PRIMARY KEY, amount numeric(12,2), placed_at timestamptz);
    CREATE TABLE public.secret (id int PRIMARY KEY);
    CREATE VIEW public.plain_view AS SELECT id, name FROM public.plain;
    CREATE MATERIALIZED VIEW public.plain_mat AS SELECT id, note FROM public.plain;
    CREATE TABLE public.measurements (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
    CREATE TABLE public.measurements_2024 PARTITION OF public.measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE DOMAIN positive AS numeric(10,2) CHECK (VALUE > 0);
    CREATE TABLE public.with_domain (id int PRIMARY KEY, price positive);
    GRANT USAGE ON SCHEMA sales TO tapuser;
    GRANT SELECT ON public.plain, public.composite, public."Mixed Case", sales.orders, public.plain_view,
      public.plain_mat, public.measurements, public.measurements_2024, public.with_domain TO tapuser;
  `);
  await other.query('CREATE TABLE public.elsewhere (id int PRIMARY KEY); GRANT SELECT ON public.elsewhere TO tapuser;');
});

after(async () => {
  await db?.close();
  await other?.close();
});

async function discover(overrides: Record<string, unknown> = {}): Promise<{ catalog: CatalogJson; stderr: string }> {
  const result = await runTap(['--config', '@config', '--discover'], { files: { config: db.tapConfig(overrides) } });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'the catalog is one JSON document on stdout and nothing else');
  return { catalog: JSON.parse(result.stdout) as CatalogJson, stderr: result.stderr };
}

function topMetadata(catalog: CatalogJson, id: string): Record<string, unknown> {
  return findStream(catalog, id).metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
}

function columnMd(catalog: CatalogJson, id: string, column: string): Record<string, unknown> {
  return findStream(catalog, id).metadata.find((m) => m.breadcrumb[1] === column)!.metadata;
}

test('discovery lists tables, views, materialized views and partitioned tables, not partitions', async () => {
  const { catalog } = await discover();
  const ids = catalog.streams.map((s) => s.tap_stream_id).sort();
  const n = db.name;
  assert.deepEqual(ids, [
    `${n}-public-Mixed Case`, `${n}-public-composite`, `${n}-public-measurements`, `${n}-public-plain`,
    `${n}-public-plain_mat`, `${n}-public-plain_view`, `${n}-public-with_domain`, `${n}-sales-orders`,
  ]);
  assert.equal(topMetadata(catalog, `${n}-public-plain_view`)['is-view'], true);
  assert.equal(topMetadata(catalog, `${n}-public-plain_mat`)['is-view'], true);
  assert.equal(topMetadata(catalog, `${n}-public-plain`)['is-view'], false);
  assert.equal(topMetadata(catalog, `${n}-public-plain`)['selected-by-default'], false);
});

test('discovery leaves out tables the user cannot SELECT, with a log line', async () => {
  const { catalog, stderr } = await discover();
  assert.ok(!catalog.streams.some((s) => s.table_name === 'secret'));
  assert.match(stderr, /skipping .*public\.secret: user has no SELECT/);
});

test('discovery reports primary keys in key order, with key columns automatic', async () => {
  const { catalog } = await discover();
  const n = db.name;
  assert.deepEqual(topMetadata(catalog, `${n}-public-composite`)['table-key-properties'], ['b', 'a']);
  assert.equal(columnMd(catalog, `${n}-public-composite`, 'a').inclusion, 'automatic');
  assert.equal(columnMd(catalog, `${n}-public-composite`, 'c').inclusion, 'available');
  assert.deepEqual(topMetadata(catalog, `${n}-public-plain_view`)['table-key-properties'], []);
});

test('discovery keeps names that need quoting and gives sql-datatype and schemas', async () => {
  const { catalog } = await discover();
  const n = db.name;
  const mixed = findStream(catalog, `${n}-public-Mixed Case`);
  assert.equal(mixed.table_name, 'Mixed Case');
  assert.deepEqual(Object.keys((mixed.schema as { properties: object }).properties), ['Weird "col" name', 'has space']);
  assert.equal(columnMd(catalog, `${n}-public-Mixed Case`, 'Weird "col" name')['sql-datatype'], 'bigint');
  assert.equal(columnMd(catalog, `${n}-sales-orders`, 'amount')['sql-datatype'], 'numeric(12,2)');
  assert.equal(columnMd(catalog, `${n}-sales-orders`, 'placed_at')['sql-datatype'], 'timestamp with time zone');
  assert.equal(columnMd(catalog, `${n}-public-with_domain`, 'price')['sql-datatype'], 'positive');
  const plain = findStream(catalog, `${n}-public-plain`).schema as { properties: Record<string, { type: string[] }> };
  assert.deepEqual(plain.properties.name!.type, ['string'], 'NOT NULL columns are not nullable');
  assert.deepEqual(plain.properties.note!.type, ['null', 'string']);
  const domain = findStream(catalog, `${n}-public-with_domain`).schema as { properties: Record<string, { type: string[] }> };
  assert.deepEqual(domain.properties.price!.type, ['null', 'number'], 'a domain resolves to its base type');
  assert.equal(topMetadata(catalog, `${n}-sales-orders`)['schema-name'], 'sales');
  assert.equal(topMetadata(catalog, `${n}-sales-orders`)['database-name'], n);
});

test('filter_schemas limits discovery to the named schemas', async () => {
  const { catalog } = await discover({ filter_schemas: 'sales' });
  assert.deepEqual(catalog.streams.map((s) => s.table_name), ['orders']);
});

test('discover_partitions lists partitions as streams of their own', async () => {
  const { catalog } = await discover({ discover_partitions: true });
  assert.ok(catalog.streams.some((s) => s.table_name === 'measurements_2024'));
});

test('discovery covers several databases, one stream list each', async () => {
  const { catalog } = await discover({ filter_dbs: `${db.name},${other.name}` });
  const databases = new Set(catalog.streams.map((s) => topMetadata(catalog, s.tap_stream_id)['database-name']));
  assert.deepEqual([...databases].sort(), [db.name, other.name].sort());
  assert.ok(catalog.streams.some((s) => s.tap_stream_id === `${other.name}-public-elsewhere`));
});

test('discovery without filter_dbs reaches every database the user can connect to', async () => {
  const config = db.tapConfig();
  delete config.filter_dbs;
  const result = await runTap(['--config', '@config', '--discover'], { files: { config } });
  assert.equal(result.code, 0, result.stderr);
  const catalog = JSON.parse(result.stdout) as CatalogJson;
  assert.ok(catalog.streams.some((s) => s.tap_stream_id === `${other.name}-public-elsewhere`));
  assert.ok(catalog.streams.some((s) => s.tap_stream_id === `${db.name}-public-plain`));
});

test('discovery warns when two streams share a name and names the fix', async () => {
  await db.query('CREATE TABLE sales.plain (id int PRIMARY KEY); GRANT SELECT ON sales.plain TO tapuser');
  try {
    const { stderr } = await discover();
    assert.match(stderr, /stream name \\"plain\\" is shared by .*include_schemas_in_destination_stream_name/);
    const { catalog } = await discover({ include_schemas_in_destination_stream_name: true });
    assert.equal(findStream(catalog, `${db.name}-sales-plain`).stream, 'sales_plain');
  } finally {
    await db.query('DROP TABLE sales.plain');
  }
});
