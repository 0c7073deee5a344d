// Stream names are unique in every run: the same table name in two databases and two schemas is
// refused before any message, naming the tables and the fix; with database-qualified names every
// table arrives intact under its own name.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { messagesOfType, records, selectInCatalog } from '../harness/catalog-select.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

let app1: TestDatabase;
let app2: TestDatabase;

before(async () => {
  [app1, app2] = await Promise.all([createTestDatabase('names_app1'), createTestDatabase('names_app2')]);
  for (const [db, tag] of [[app1, 'one'], [app2, 'two']] as const) {
    await db.query(`CREATE SCHEMA analytics; GRANT USAGE ON SCHEMA analytics TO tapuser;
      CREATE TABLE public.customers (id int PRIMARY KEY, who text); CREATE TABLE analytics.customers (id int PRIMARY KEY, who text);
      INSERT INTO public.customers VALUES (1, '${tag} public'); INSERT INTO analytics.customers VALUES (1, '${tag} analytics');
      GRANT SELECT ON ALL TABLES IN SCHEMA public, analytics TO tapuser`);
  }
});

after(async () => {
  await Promise.all([app1?.close(), app2?.close()]);
});

test('two databases and two schemas with one table name: refused before any message; database-qualified names keep all four apart', async () => {
  const config = app1.tapConfig({ filter_dbs: `${app1.name},${app2.name}` });
  const discovery = await discoverCatalog(config);
  const ids = [app1, app2].flatMap((db) => [`${db.name}-public-customers`, `${db.name}-analytics-customers`]);
  const catalog = selectInCatalog(discovery, Object.fromEntries(ids.map((id) => [id, { method: 'FULL_TABLE' }])));
  const refused = await runSync(config, catalog);
  assert.equal(refused.code, 1, refused.stderr);
  assert.equal(refused.stdout, '', 'nothing written');
  assert.match(refused.stderr, /STREAM_NAME_COLLISION/);
  for (const id of ids) assert.match(refused.stderr, new RegExp(id));
  assert.match(refused.stderr, /include_database_in_destination_stream_name/);

  const unique = await runSync({ ...config, include_database_in_destination_stream_name: true }, catalog);
  assert.equal(unique.code, 0, unique.stderr);
  const streams = [app1, app2].flatMap((db) => [`${db.name}_public_customers`, `${db.name}_analytics_customers`]);
  assert.deepEqual(messagesOfType<{ stream: string }>(unique.lines, 'SCHEMA').map((m) => m.stream).sort(), [...streams].sort());
  assert.deepEqual(streams.map((stream) => records(unique.lines, stream).map((r) => r.who)), [['one public'], ['one analytics'], ['two public'], ['two analytics']]);

  // Discovery with the setting writes the same names into the catalog.
  const named = await discoverCatalog({ ...config, include_database_in_destination_stream_name: true });
  assert.deepEqual(named.streams.map((s) => s.stream as string).sort(), [...streams].sort());
});
