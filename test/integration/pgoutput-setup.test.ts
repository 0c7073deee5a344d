import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { runTap } from '../harness/run-cli.js';
import { tapError } from '../harness/singer-assert.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';
import { lastState, QUICK } from './log-based-helpers.js';

/**
 * pgoutput setup through the real CLI: the publication a pgoutput slot is read through is
 * checked before anything is read (missing, not covering a selected table, a partitioned table
 * published through its partitions), each problem one coded error with the statement that fixes
 * it, the same answer in `--test`; publication_name names another publication.
 */

let db: TestDatabase;
let catalog: CatalogJson;
const id = (table: string): string => `${db.name}-public-${table}`;
const slot = (): string => `stitch_${db.name}`;
const quoted = (): string => `"${slot()}"`;

before(async () => {
  db = await createTestDatabase('pgoutput_setup');
  await db.query(`
    CREATE TABLE t (id int PRIMARY KEY, v text);
    CREATE TABLE other (id int PRIMARY KEY);
    CREATE TABLE parted (id int, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
    CREATE TABLE parted_eu PARTITION OF parted FOR VALUES IN ('eu');
    INSERT INTO t VALUES (1, 'a');
    INSERT INTO parted VALUES (1, 'eu');
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO tapuser;
  `);
  await db.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [slot()]);
  catalog = await discoverCatalog(db.tapConfig());
});

after(async () => {
  await db?.close();
});

const logBased = (...tables: string[]): CatalogJson => selectInCatalog(catalog, Object.fromEntries(tables.map((table) => [id(table), { method: 'LOG_BASED' }])));

async function readinessFailures(catalogJson: CatalogJson, config = db.tapConfig()): Promise<{ check: string; detail: string; fix?: string }[]> {
  const result = await runTap(['--config', '@config', '--catalog', '@catalog', '--test', '--format', 'json'], { files: { config, catalog: catalogJson } });
  const report = JSON.parse(result.stdout) as { ready: boolean; checks: { check: string; status: string; detail: string; fix?: string }[] };
  assert.equal(result.code === 0, report.ready, result.stderr);
  return report.checks.filter((check) => check.status === 'fail');
}

test('no publication: PUBLICATION_NOT_FOUND with the CREATE PUBLICATION statement, in a run and in --test', async () => {
  const error = tapError(await runSync(db.tapConfig(QUICK), logBased('t', 'parted')));
  assert.equal(error.code, 'PUBLICATION_NOT_FOUND');
  assert.match(error.msg, new RegExp(`publication ${quoted()} does not exist`));
  assert.ok(error.hint.includes(`CREATE PUBLICATION ${quoted()} FOR TABLE "public"."parted", "public"."t" WITH (publish_via_partition_root = true);`), error.hint);
  const failures = await readinessFailures(logBased('t'));
  assert.deepEqual(failures.map((failure) => failure.check), ['publication']);
  assert.ok(failures[0]!.fix?.includes(`CREATE PUBLICATION ${quoted()} FOR TABLE "public"."t";`), JSON.stringify(failures));
});

test('a publication without a selected table: PUBLICATION_INCOMPLETE with the ALTER PUBLICATION statement; after it, the run syncs', async () => {
  await db.query(`CREATE PUBLICATION ${slot()} FOR TABLE other`);
  try {
    const error = tapError(await runSync(db.tapConfig(QUICK), logBased('t')));
    assert.equal(error.code, 'PUBLICATION_INCOMPLETE');
    assert.match(error.msg, /does not cover "public"\."t"/);
    assert.ok(error.hint.includes(`ALTER PUBLICATION ${quoted()} ADD TABLE "public"."t";`), error.hint);
    await db.query(`ALTER PUBLICATION ${slot()} ADD TABLE public.t`);
    const first = await runSync(db.tapConfig(QUICK), logBased('t'));
    assert.equal(first.code, 0, first.stderr);
    await db.query("INSERT INTO t VALUES (2, 'through pgoutput')");
    const second = await runSync(db.tapConfig(QUICK), logBased('t'), lastState(first));
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(records(second.lines).map((record) => [record.id, record.v]), [[2, 'through pgoutput']]);
  } finally {
    await db.query(`DROP PUBLICATION IF EXISTS ${slot()}`);
  }
});

test('a partitioned table published through its partitions: PUBLICATION_INCOMPLETE with SET (publish_via_partition_root = true)', async (t) => {
  const [{ version }] = await db.query<{ version: number }>("SELECT current_setting('server_version_num')::int AS version");
  if (version < 130000) return t.skip('publish_via_partition_root exists from PostgreSQL 13');
  await db.query(`CREATE PUBLICATION ${slot()} FOR ALL TABLES`);
  try {
    const error = tapError(await runSync(db.tapConfig(QUICK), logBased('parted')));
    assert.equal(error.code, 'PUBLICATION_INCOMPLETE');
    assert.match(error.msg, /publishes the partitions of "public"\."parted"/);
    assert.ok(error.hint.includes(`ALTER PUBLICATION ${quoted()} SET (publish_via_partition_root = true);`), error.hint);
  } finally {
    await db.query(`DROP PUBLICATION IF EXISTS ${slot()}`);
  }
});

test('publication_name reads another publication; a missing one is named', async () => {
  await db.query('CREATE PUBLICATION "my pub" FOR TABLE t');
  try {
    const ok = await runSync(db.tapConfig({ ...QUICK, publication_name: 'my pub' }), logBased('t'));
    assert.equal(ok.code, 0, ok.stderr);
    const error = tapError(await runSync(db.tapConfig({ ...QUICK, publication_name: 'nope' }), logBased('t')));
    assert.equal(error.code, 'PUBLICATION_NOT_FOUND');
    assert.ok(error.hint.includes('CREATE PUBLICATION "nope" FOR TABLE "public"."t";'), error.hint);
  } finally {
    await db.query('DROP PUBLICATION IF EXISTS "my pub"');
  }
});
