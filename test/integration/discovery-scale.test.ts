import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { discoverCatalog } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

/**
 * Discovery of a database with thousands of tables returns every table with its own columns, in
 * order, with its own key: the catalog queries are grouped by table once (not filtered per
 * table), so nothing may leak between tables. Not timed: `npm run bench:scale` measures it.
 */
const TABLES = 3000;
let db: TestDatabase;

interface Stream { tap_stream_id: string; table_name: string; schema: { properties: Record<string, { type: string[] }> }; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }

before(async () => {
  db = await createTestDatabase('discovery_scale');
  // Table i has i % 7 + 4 columns (4 to 10), the key on c1 for odd i, on (id, c1) for even i.
  await db.query(`CREATE SCHEMA many; DO $$ BEGIN
    FOR i IN 1..${TABLES} LOOP
      EXECUTE format('CREATE TABLE many.%I (id bigint, c1 int, %s, PRIMARY KEY (%s))', 't' || i,
        (SELECT string_agg(format('c%s %s', k, (ARRAY['text', 'numeric', 'timestamptz', 'boolean', 'jsonb', 'date', 'uuid', 'double precision'])[k % 8 + 1]), ', ')
           FROM generate_series(2, i % 7 + 3) k),
        CASE WHEN i % 2 = 1 THEN 'c1' ELSE 'id, c1' END);
    END LOOP;
  END $$;
  GRANT USAGE ON SCHEMA many TO tapuser; GRANT SELECT ON ALL TABLES IN SCHEMA many TO tapuser;`);
});

after(async () => {
  await db?.close();
});

test(`${TABLES} tables: every one discovered with its own columns, types and key`, async () => {
  const catalog = (await discoverCatalog(db.tapConfig({ filter_schemas: 'many' }))) as unknown as { streams: Stream[] };
  assert.equal(catalog.streams.length, TABLES);
  const types = ['text', 'numeric', 'timestamp with time zone', 'boolean', 'jsonb', 'date', 'uuid', 'double precision'];
  const byName = new Map(catalog.streams.map((stream) => [stream.table_name, stream]));
  for (let i = 1; i <= TABLES; i++) {
    const stream = byName.get(`t${i}`);
    assert.ok(stream, `t${i} is in the catalog`);
    const last = (i % 7) + 3;
    const names = ['id', 'c1', ...Array.from({ length: last - 1 }, (_, k) => `c${k + 2}`)];
    assert.deepEqual(Object.keys(stream.schema.properties), names, `t${i}'s columns in order`);
    const top = stream.metadata.find((entry) => entry.breadcrumb.length === 0)!.metadata;
    assert.deepEqual(top['table-key-properties'], i % 2 === 1 ? ['c1'] : ['id', 'c1'], `t${i}'s key`);
    for (let k = 2; k <= last; k++) {
      const column: Record<string, unknown> = stream.metadata.find((entry) => entry.breadcrumb[1] === `c${k}`)!.metadata;
      assert.equal(column['sql-datatype'], types[k % 8], `t${i}.c${k}'s type`);
    }
  }
});
