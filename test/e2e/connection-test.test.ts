import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { runTap } from '../harness/run-cli.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

/**
 * `tap-postgres --test` through the real CLI against a server with one problem at a time: the
 * report must fail exactly the check(s) of that problem, print its fix, and exit 1 with
 * NOT_READY; once the printed SQL is applied (as a superuser would) the same command exits 0.
 * Problems that need a server setting of their own (wal_level, output_plugin_libraries) run on
 * private clusters, started in parallel with the shared database.
 */
interface Check { database: string; check: string; status: 'pass' | 'fail' | 'warn'; detail: string; fix?: string }
interface Readiness { code: number | null; ready: boolean; checks: Check[]; table: string | null; stderr: string }
interface Expected { check: string; fix: RegExp }

const PASSWORD = 'ct-pass';
const ROLES = ['ct_noconnect', 'ct_nousage', 'ct_noselect', 'ct_norepl'];

let db: TestDatabase;
let slotName: string;
let itemsFull: CatalogJson;
let itemsLogBased: CatalogJson;
let vaultFull: CatalogJson;
let everything: CatalogJson;
// Private clusters start while the shared-database tests run; `.catch` keeps an early failure
// from being an unhandled rejection before the test that awaits it.
let replicaCluster: Promise<Cluster>;
let pluginCluster: Promise<Cluster>;

before(async () => {
  replicaCluster = startCluster({ walLevel: 'replica' });
  pluginCluster = startCluster({ allowWal2json: false });
  replicaCluster.catch(() => undefined);
  pluginCluster.catch(() => undefined);

  db = await createTestDatabase('connection_test');
  slotName = `stitch_${db.name}`;
  await dropRoles();
  await db.query(`
    CREATE TABLE items (id int PRIMARY KEY, name text);
    INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 10) g;
    CREATE TABLE other (id int PRIMARY KEY);
    CREATE SCHEMA vault;
    CREATE TABLE vault.secrets (id int PRIMARY KEY, secret text);
    GRANT USAGE ON SCHEMA vault TO tapuser;
    GRANT SELECT ON items, other, vault.secrets TO tapuser;
    REVOKE CONNECT ON DATABASE ${db.name} FROM PUBLIC;
  `);
  for (const role of ROLES) await db.query(`CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}'`);
  await db.query(`
    GRANT CONNECT ON DATABASE ${db.name} TO ct_nousage, ct_noselect, ct_norepl;
    GRANT SELECT ON items TO ct_noconnect, ct_norepl;
    GRANT SELECT ON vault.secrets TO ct_nousage;
  `);
  const discovered = await discoverCatalog(db.tapConfig());
  const n = db.name;
  itemsFull = selectInCatalog(discovered, { [`${n}-public-items`]: {} });
  itemsLogBased = selectInCatalog(discovered, { [`${n}-public-items`]: { method: 'LOG_BASED' } });
  vaultFull = selectInCatalog(discovered, { [`${n}-vault-secrets`]: {} });
  everything = selectInCatalog(discovered, {
    [`${n}-public-items`]: { method: 'LOG_BASED' },
    [`${n}-public-other`]: {},
    [`${n}-vault-secrets`]: { method: 'INCREMENTAL', replicationKey: 'id' },
  });
});

after(async () => {
  // DROP OWNED also revokes the roles' CONNECT grants on the (shared) database object.
  for (const role of ROLES) await db?.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => undefined);
  await db?.close();
  for (const cluster of [replicaCluster, pluginCluster]) await (await cluster.catch(() => null))?.stop();
});

/** Left over by an aborted run: their grants went with the dropped database, so they drop. */
async function dropRoles(): Promise<void> {
  for (const role of ROLES) await db.query(`DROP ROLE IF EXISTS ${role}`);
}

function asRole(role: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return db.tapConfig({ user: role, password: PASSWORD, ...overrides });
}

/**
 * `--test --format json`, and with `table` also `--format table` side by side (both must agree
 * on the exit code). Failures are looked at in both formats, re-checks after a fix in JSON only.
 */
async function readiness(config: Record<string, unknown>, catalog?: CatalogJson, table = false): Promise<Readiness> {
  const files: Record<string, unknown> = catalog === undefined ? { config } : { config, catalog };
  const args = ['--config', '@config', ...(catalog === undefined ? [] : ['--catalog', '@catalog']), '--test', '--format'];
  const [json, text] = await Promise.all([runTap([...args, 'json'], { files }), table ? runTap([...args, 'table'], { files }) : null]);
  if (text !== null) assert.equal(text.code, json.code, `both formats exit alike\n${text.stderr}`);
  const report = JSON.parse(json.stdout) as { ready: boolean; checks: Check[] };
  assert.equal(typeof report.ready, 'boolean');
  assert.ok(report.checks.length > 0);
  for (const check of report.checks) assert.ok(['pass', 'fail', 'warn'].includes(check.status), JSON.stringify(check));
  return { code: json.code, ready: report.ready, checks: report.checks, table: text?.stdout ?? null, stderr: json.stderr };
}

function describe(result: Readiness): string {
  return `${result.table ?? JSON.stringify(result.checks, null, 2)}\n${result.stderr}`;
}

function assertReady(result: Readiness): void {
  assert.equal(result.code, 0, describe(result));
  assert.equal(result.ready, true, describe(result));
  assert.deepEqual(result.checks.filter((check) => check.status === 'fail'), []);
  if (result.table !== null) {
    assert.match(result.table, /^READY: every check passed$/m);
    assert.doesNotMatch(result.table, /^FAIL /m);
  }
  assert.doesNotMatch(result.stderr, /NOT_READY/);
}

/**
 * Exactly the expected checks fail (in this order), each with its fix; the table shows each
 * failure with its fix on the next line; exit 1 with NOT_READY. Returns the failing checks.
 */
function assertProblems(result: Readiness, expected: Expected[]): Check[] {
  assert.equal(result.code, 1, describe(result));
  assert.equal(result.ready, false);
  const failing = result.checks.filter((check) => check.status === 'fail');
  assert.equal(failing.length, expected.length, `failing checks: ${JSON.stringify(failing, null, 2)}`);
  expected.forEach((want, i) => {
    const got = failing[i]!;
    assert.equal(got.check, want.check, JSON.stringify(got));
    assert.ok(got.fix !== undefined, `check "${got.check}" has a fix`);
    assert.match(got.fix, want.fix, `fix of "${got.check}"`);
    if (result.table === null) return;
    const shown = result.table.split('\n');
    const at = shown.findIndex((line) => line.startsWith('FAIL') && line.includes(got.check));
    assert.ok(at >= 0, `table shows FAIL ${got.check}:\n${result.table}`);
    assert.equal(shown[at + 1]?.trim(), `fix: ${got.fix}`, 'the fix is printed under the failing check');
  });
  if (result.table !== null) assert.match(result.table, new RegExp(`^NOT READY: ${expected.length} check\\(s\\) failed$`, 'm'));
  const error = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as { code?: string; level: number }).find((line) => line.level >= 50);
  assert.equal(error?.code, 'NOT_READY', result.stderr);
  return failing;
}

/** The SQL statements of a printed fix, run one by one as a superuser would. */
async function applyFix(fix: string, run: (sql: string) => Promise<unknown>): Promise<void> {
  const statements = fix.match(/\b(?:GRANT|ALTER (?:ROLE|SYSTEM)|SELECT)\b[^;]*;/g);
  assert.ok(statements !== null && statements.length > 0, `the fix contains SQL: ${fix}`);
  for (const statement of statements) await run(statement);
}

async function ensureSlot(): Promise<void> {
  const rows = await db.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slotName]);
  if (rows.length === 0) await db.query(`SELECT pg_create_logical_replication_slot('${slotName}', 'wal2json')`);
}

test('no CONNECT: only the CONNECT check fails, with the GRANT that fixes it', async () => {
  const result = await readiness(asRole('ct_noconnect'), itemsFull, true);
  const [failure] = assertProblems(result, [{ check: 'CONNECT', fix: new RegExp(`^GRANT CONNECT ON DATABASE "${db.name}" TO "ct_noconnect";$`) }]);
  assert.equal(failure!.database, db.name);
  await applyFix(failure!.fix!, (sql) => db.query(sql));
  assertReady(await readiness(asRole('ct_noconnect'), itemsFull));
});

test('no schema USAGE: the USAGE check fails with its GRANT; that GRANT alone makes it ready', async () => {
  const result = await readiness(asRole('ct_nousage'), vaultFull, true);
  const failing = result.checks.filter((check) => check.status === 'fail');
  const usage = failing.find((check) => check.check === 'USAGE on schema vault');
  assert.ok(usage !== undefined, describe(result));
  assert.equal(usage.fix, 'GRANT USAGE ON SCHEMA "vault" TO "ct_nousage";');
  // SELECT on vault.secrets is granted: only the USAGE check may fail.
  assert.deepEqual(failing.filter((check) => check !== usage), [], 'a missing USAGE is not also blamed on SELECT');
  assert.equal(result.code, 1);
  assert.match(result.table ?? '', /^FAIL .*USAGE on schema vault .*\n\s+fix: GRANT USAGE ON SCHEMA "vault" TO "ct_nousage";$/m);
  await applyFix(usage.fix, (sql) => db.query(sql));
  assertReady(await readiness(asRole('ct_nousage'), vaultFull));
});

test('no SELECT: with a catalog that selects the table, its SELECT check fails; without one it is a warning (discovery leaves it out)', async () => {
  const fix = /^GRANT SELECT ON "public"\."items" TO "ct_noselect";$/;
  const [failure] = assertProblems(await readiness(asRole('ct_noselect'), itemsFull, true), [{ check: 'SELECT on public.items', fix }]);
  // Without a catalog: what discovery can see. A table it deliberately skips is a warning with the
  // GRANT, so a least-privilege setup passes.
  const noCatalog = asRole('ct_noselect', { filter_schemas: 'public' });
  await db.query('GRANT SELECT ON other TO ct_noselect');
  const seen = await readiness(noCatalog);
  assertReady(seen);
  const warning = seen.checks.find((check) => check.check === 'SELECT on public.items');
  assert.equal(warning?.status, 'warn', JSON.stringify(seen.checks));
  assert.match(warning?.fix ?? '', fix);
  await applyFix(failure!.fix!, (sql) => db.query(sql));
  assertReady(await readiness(asRole('ct_noselect'), itemsFull));
  assert.equal((await readiness(noCatalog)).checks.find((check) => check.check === 'SELECT on public.items')?.status, undefined, 'readable tables are counted, not listed');
});

test('no slot: only the slot check fails, and the printed pg_create_logical_replication_slot call fixes it', async () => {
  await db.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${slotName}'`);
  const [failure] = assertProblems(await readiness(db.tapConfig(), itemsLogBased, true), [
    { check: 'replication slot', fix: new RegExp(`pg_create_logical_replication_slot\\('${slotName}', 'wal2json'\\)`) },
  ]);
  assert.match(failure!.detail, new RegExp(slotName));
  await applyFix(failure!.fix!, (sql) => db.query(sql));
  assertReady(await readiness(db.tapConfig(), itemsLogBased));
});

test('a slot with another plugin (test_decoding): only the slot check fails, and recreating it as printed fixes it', async () => {
  await db.query("SELECT pg_create_logical_replication_slot('ct_decoding', 'test_decoding')");
  const config = db.tapConfig({ slot_name: 'ct_decoding' });
  const [failure] = assertProblems(await readiness(config, itemsLogBased, true), [
    { check: 'replication slot', fix: /pg_drop_replication_slot\('ct_decoding'\).*pg_create_logical_replication_slot\('ct_decoding', 'wal2json'\)/ },
  ]);
  assert.match(failure!.detail, /test_decoding/);
  await applyFix(failure!.fix!, (sql) => db.query(sql));
  assertReady(await readiness(config, itemsLogBased));
  await db.query("SELECT pg_drop_replication_slot('ct_decoding')");
});

test('no REPLICATION privilege: every failing check is about it and prints ALTER ROLE ... WITH REPLICATION', async () => {
  await ensureSlot();
  const fix = /^(As a superuser run: )?ALTER ROLE "ct_norepl" WITH REPLICATION;$/;
  const failing = assertProblems(await readiness(asRole('ct_norepl'), itemsLogBased, true), [
    { check: 'REPLICATION privilege', fix },
    // Reading the slot and opening a replication connection fail for the same reason.
    { check: 'wal2json loads', fix },
    { check: 'replication connection (pg_hba.conf)', fix },
  ]);
  await applyFix(failing[0]!.fix!, (sql) => db.query(sql));
  assertReady(await readiness(asRole('ct_norepl'), itemsLogBased));
});

test('a ready server exits 0 with a catalog (every method) and without one; JSON has ready: true', async () => {
  await ensureSlot();
  const withCatalog = await readiness(db.tapConfig(), everything, true);
  assertReady(withCatalog);
  const names = withCatalog.checks.map((check) => check.check);
  for (const expected of ['CONNECT', 'USAGE on schema public', 'USAGE on schema vault', 'SELECT on public.items', 'SELECT on public.other',
    'SELECT on vault.secrets', 'wal_level', 'REPLICATION privilege', 'primary server', 'replication slot', 'wal2json loads',
    'replication connection (pg_hba.conf)']) {
    assert.ok(names.includes(expected), `the report checks ${expected}: ${names.join(', ')}`);
  }
  assert.ok(withCatalog.checks.every((check) => check.database === db.name));
  // The log-based checks belong to LOG_BASED streams only.
  const fullOnly = await readiness(db.tapConfig(), itemsFull);
  assertReady(fullOnly);
  assert.ok(!fullOnly.checks.some((check) => check.check === 'wal_level'), 'no log-based checks without a LOG_BASED stream');
  assertReady(await readiness(db.tapConfig()));
});

test('wal_level=replica (private cluster): wal_level fails with its fix; applying the printed fixes (and a restart) makes it ready', async () => {
  const cluster = await replicaCluster;
  await cluster.query('CREATE TABLE items (id int PRIMARY KEY); GRANT SELECT ON items TO tapuser');
  const config = { host: cluster.host, port: cluster.port, user: 'tapuser', password: 'tappass', dbname: 'postgres', filter_dbs: 'postgres' };
  const catalog = selectInCatalog(await discoverCatalog(config), { 'postgres-public-items': { method: 'LOG_BASED' } });
  const [walLevel, slot] = assertProblems(await readiness(config, catalog, true), [
    { check: 'wal_level', fix: /ALTER SYSTEM SET wal_level = logical;.*restart/ },
    // A logical slot cannot exist under wal_level=replica, so the slot is missing too.
    { check: 'replication slot', fix: /pg_create_logical_replication_slot\('stitch_postgres', 'wal2json'\)/ },
  ]);
  assert.equal(walLevel!.detail, 'replica');
  await applyFix(walLevel!.fix!, (sql) => cluster.query(sql));
  await cluster.restart();
  await applyFix(slot!.fix!, (sql) => cluster.query(sql));
  assertReady(await readiness(config, catalog));
});

test('wal2json not in output_plugin_libraries (private cluster): the fix names output_plugin_libraries and works', async (t) => {
  const cluster = await pluginCluster;
  const setting = await cluster.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'output_plugin_libraries'");
  if (setting.length === 0) {
    t.skip(`PostgreSQL ${cluster.serverVersionNum} has no output_plugin_libraries setting (only minor releases from late 2026 do)`);
    return;
  }
  assert.doesNotMatch(setting[0]!.setting, /wal2json/);
  await cluster.query('CREATE TABLE items (id int PRIMARY KEY); GRANT SELECT ON items TO tapuser');
  // The slot is made while wal2json is allowed, so the only problem left is the setting.
  await setPlugins(cluster, 'pgoutput, test_decoding, wal2json');
  await cluster.query("SELECT pg_create_logical_replication_slot('stitch_postgres', 'wal2json')");
  await setPlugins(cluster, null);

  const config = { host: cluster.host, port: cluster.port, user: 'tapuser', password: 'tappass', dbname: 'postgres', filter_dbs: 'postgres' };
  const catalog = selectInCatalog(await discoverCatalog(config), { 'postgres-public-items': { method: 'LOG_BASED' } });
  const fix = /ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, wal2json; SELECT pg_reload_conf\(\);/;
  // A REPLICATION user cannot read the setting; loading the plugin through the slot shows it.
  assertProblems(await readiness(config, catalog, true), [{ check: 'wal2json loads', fix }]);
  const superConfig = { ...config, user: cluster.superuser, password: cluster.superuserPassword };
  const [allowed] = assertProblems(await readiness(superConfig, catalog), [
    { check: 'wal2json allowed (output_plugin_libraries)', fix },
    { check: 'wal2json loads', fix },
  ]);
  assert.equal(allowed!.detail, setting[0]!.setting);
  await applyFix(allowed!.fix!, (sql) => cluster.query(sql));
  await waitForPlugins(cluster, /wal2json/);
  assertReady(await readiness(superConfig, catalog));
  assertReady(await readiness(config, catalog));
});

async function setPlugins(cluster: Cluster, list: string | null): Promise<void> {
  await cluster.query(list === null ? 'ALTER SYSTEM RESET output_plugin_libraries' : `ALTER SYSTEM SET output_plugin_libraries = ${list}`);
  await cluster.query('SELECT pg_reload_conf()');
  await waitForPlugins(cluster, list === null ? /^pgoutput, test_decoding$/ : /wal2json/);
}

/** Reload is a signal, not a barrier: wait until a fresh session sees the value. */
async function waitForPlugins(cluster: Cluster, pattern: RegExp): Promise<void> {
  for (let i = 0; ; i++) {
    const [row] = await cluster.query<{ v: string }>("SELECT current_setting('output_plugin_libraries') AS v");
    if (pattern.test(row!.v)) return;
    assert.ok(i < 100, `output_plugin_libraries did not become ${pattern}: ${row!.v}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
