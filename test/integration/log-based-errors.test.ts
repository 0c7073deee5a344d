import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { tapError } from '../harness/singer-assert.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import { createTestDatabase, quoteIdent, type TestDatabase } from '../harness/test-database.js';
import { QUICK } from './log-based-helpers.js';

/**
 * Every log-based setup error through the real CLI: exit code 1, one error line with the stable
 * code, a message saying what is wrong and a hint with the exact fix.
 */

let db: TestDatabase;
let catalog: CatalogJson;
const id = (table: string): string => `${db.name}-public-${table}`;
const logBased = (table: string): CatalogJson => selectInCatalog(catalog, { [id(table)]: { method: 'LOG_BASED' } });

before(async () => {
  db = await createTestDatabase('log_based_errors');
  await db.query(`
    CREATE TABLE t (id int PRIMARY KEY, v text);
    INSERT INTO t VALUES (1, 'a');
    CREATE VIEW v AS SELECT * FROM t;
    GRANT SELECT ON t, v TO tapuser;
  `);
  catalog = await discoverCatalog(db.tapConfig());
});

after(async () => {
  await db?.close();
});

test('no slot: SLOT_NOT_FOUND names the slots looked for and the pg_create_logical_replication_slot call', async () => {
  const error = tapError(await runSync(db.tapConfig(QUICK), logBased('t')));
  assert.equal(error.code, 'SLOT_NOT_FOUND');
  assert.match(error.msg, new RegExp(`"stitch_${db.name}" or "stitch"`));
  assert.ok(error.hint.includes(`SELECT * FROM pg_create_logical_replication_slot('stitch_${db.name}', 'wal2json');`), error.hint);
  const named = tapError(await runSync(db.tapConfig({ ...QUICK, slot_name: 'mine' }), logBased('t')));
  assert.equal(named.code, 'SLOT_NOT_FOUND');
  assert.ok(named.hint.includes("pg_create_logical_replication_slot('mine', 'wal2json')"), named.hint);
});

test('a slot with the test_decoding plugin: SLOT_WRONG_PLUGIN with the drop and create statements', async () => {
  await db.query("SELECT pg_create_logical_replication_slot('stitch_' || current_database(), 'test_decoding')");
  try {
    const error = tapError(await runSync(db.tapConfig(QUICK), logBased('t')));
    assert.equal(error.code, 'SLOT_WRONG_PLUGIN');
    assert.match(error.msg, /uses the test_decoding plugin; the tap reads wal2json and pgoutput slots/);
    assert.ok(error.hint.includes("'pgoutput' with a publication"), error.hint);
    assert.ok(error.hint.includes(`pg_drop_replication_slot('stitch_${db.name}')`), error.hint);
    assert.ok(error.hint.includes(`pg_create_logical_replication_slot('stitch_${db.name}', 'wal2json')`), error.hint);
  } finally {
    await db.query("SELECT pg_drop_replication_slot('stitch_' || current_database())");
  }
});

test('a user without REPLICATION: REPLICATION_PRIVILEGE with the ALTER ROLE fix', async () => {
  const role = `norepl_${process.pid}`;
  await db.query(`CREATE ROLE ${role} LOGIN PASSWORD 'noreplpass' NOREPLICATION;
    GRANT CONNECT ON DATABASE ${quoteIdent(db.name)} TO ${role}; GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON t TO ${role}`);
  await db.query("SELECT pg_create_logical_replication_slot('stitch_' || current_database(), 'wal2json')");
  try {
    const config = db.tapConfig({ ...QUICK, user: role, password: 'noreplpass' });
    const selected = selectInCatalog(await discoverCatalog(config), { [id('t')]: { method: 'LOG_BASED' } });
    const error = tapError(await runSync(config, selected));
    assert.equal(error.code, 'REPLICATION_PRIVILEGE');
    assert.match(error.msg, new RegExp(`user "${role}" may not open a replication connection`));
    assert.ok(error.hint.includes(`ALTER ROLE "${role}" WITH REPLICATION;`), error.hint);
    await db.query(`ALTER ROLE ${role} WITH REPLICATION`);
    const fixed = await runSync(config, selected);
    assert.equal(fixed.code, 0, `the hint's fix works: ${fixed.stderr}`);
    assert.equal(records(fixed.lines).length, 1);
  } finally {
    await db.query("SELECT pg_drop_replication_slot('stitch_' || current_database())");
    await db.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
  }
});

test('LOG_BASED selected on a view: SELECTION_INVALID naming the stream, before anything is read', async () => {
  const selected = selectInCatalog(catalog, { [id('v')]: { method: 'LOG_BASED', viewKeys: ['id'] } });
  const result = await runSync(db.tapConfig(QUICK), selected);
  const error = tapError(result);
  assert.equal(error.code, 'SELECTION_INVALID');
  assert.ok(error.msg.includes(id('v')), error.msg);
  assert.match(error.msg + error.hint, /view/i);
  assert.equal(result.stdout, '', 'nothing written');
});

/** A private cluster: a database with tapuser's grants and a table `t`. */
async function privateDatabase(cluster: Cluster, name: string): Promise<Record<string, unknown>> {
  await cluster.query(`CREATE DATABASE ${name}`);
  await cluster.query(`GRANT CONNECT ON DATABASE ${name} TO tapuser`);
  await cluster.query("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a'); GRANT USAGE ON SCHEMA public TO tapuser; GRANT SELECT ON t TO tapuser", [], name);
  return { host: cluster.host, port: cluster.port, user: 'tapuser', password: 'tappass', dbname: name, filter_dbs: name, ...QUICK };
}

async function selectT(config: Record<string, unknown>): Promise<CatalogJson> {
  return selectInCatalog(await discoverCatalog(config), { [`${String(config.dbname)}-public-t`]: { method: 'LOG_BASED' } });
}

test('wal_level=replica: LOGICAL_NOT_ENABLED with the ALTER SYSTEM line', async () => {
  const cluster = await startCluster({ walLevel: 'replica' });
  try {
    const config = await privateDatabase(cluster, 'replica_db');
    const error = tapError(await runSync(config, await selectT(config)));
    assert.equal(error.code, 'LOGICAL_NOT_ENABLED');
    assert.match(error.msg, /wal_level=replica/);
    assert.ok(error.hint.includes('ALTER SYSTEM SET wal_level = logical;'), error.hint);
    assert.match(error.hint, /restart/);
  } finally {
    await cluster.stop();
  }
});

test('wal2json not in output_plugin_libraries, then a slot that lost its WAL', async (t) => {
  const cluster = await startCluster({ allowWal2json: false, settings: { max_slot_wal_keep_size: '1MB', wal_keep_size: '0' } });
  try {
    const setting = await cluster.query("SELECT 1 FROM pg_settings WHERE name = 'output_plugin_libraries'");
    const config = await privateDatabase(cluster, 'plugins_db');
    const selected = await selectT(config);
    const setPlugins = async (list: string): Promise<void> => {
      await cluster.query(`ALTER SYSTEM SET output_plugin_libraries = ${list}`);
      await cluster.query('SELECT pg_reload_conf()');
      // Reload is a signal: wait until a new session sees the list.
      for (let i = 0; (await cluster.query<{ v: string }>("SELECT current_setting('output_plugin_libraries') AS v"))[0]!.v !== list; i++) {
        assert.ok(i < 100, `output_plugin_libraries = ${list} took effect`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    await t.test('WAL2JSON_NOT_ALLOWED with the ALTER SYSTEM line', async (st) => {
      if (setting.length === 0) {
        st.skip('this server release has no output_plugin_libraries setting (older minor release): every plugin is allowed');
        return;
      }
      // The slot is created while wal2json is allowed, as a user would have before upgrading.
      await setPlugins('pgoutput, test_decoding, wal2json');
      await cluster.query("SELECT pg_create_logical_replication_slot('stitch_plugins_db', 'wal2json')", [], 'plugins_db');
      await setPlugins('pgoutput, test_decoding');
      const error = tapError(await runSync(config, selected));
      assert.equal(error.code, 'WAL2JSON_NOT_ALLOWED');
      assert.match(error.msg, /library "wal2json" may not be used as an output plugin/);
      assert.ok(error.hint.includes('ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, wal2json; SELECT pg_reload_conf();'), error.hint);
      await setPlugins('pgoutput, test_decoding, wal2json');
      const fixed = await runSync(config, selected);
      assert.equal(fixed.code, 0, `the hint's fix works: ${fixed.stderr}`);
    });

    await t.test('SLOT_INVALIDATED with the recreate and reset fix', async () => {
      if (setting.length > 0) await setPlugins('pgoutput, test_decoding, wal2json');
      await cluster.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots");
      await cluster.query("SELECT pg_create_logical_replication_slot('stitch_plugins_db', 'wal2json')", [], 'plugins_db');
      await cluster.query('CREATE TABLE IF NOT EXISTS filler (x text)', [], 'plugins_db');
      for (let i = 0; i < 3; i++) {
        await cluster.query("INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 100)", [], 'plugins_db');
        await cluster.query('SELECT pg_switch_wal()');
      }
      await cluster.query('CHECKPOINT');
      const [slot] = await cluster.query<{ wal_status: string }>("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'stitch_plugins_db'");
      assert.equal(slot!.wal_status, 'lost', 'the slot lost its WAL (max_slot_wal_keep_size)');
      const error = tapError(await runSync(config, selected));
      assert.equal(error.code, 'SLOT_INVALIDATED');
      assert.match(error.msg, /stitch_plugins_db/);
      assert.ok(error.hint.includes("pg_drop_replication_slot('stitch_plugins_db')"), error.hint);
      assert.ok(error.hint.includes("pg_create_logical_replication_slot('stitch_plugins_db', 'wal2json')"), error.hint);
      assert.match(error.hint, /state reset/);
    });
  } finally {
    await cluster.stop();
  }
});
