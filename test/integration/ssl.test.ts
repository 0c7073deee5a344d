// SSL through the real CLI: every sslmode, `ssl: true`, client certificates (paths and inline PEM),
// and the verification failures. Whether a run really used TLS is read from the server itself: the
// synced view reports pg_stat_ssl for the tap's own backend.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { runTap, type TapResult } from '../harness/run-cli.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import { createTestDatabase, quoteIdent, type TestDatabase } from '../harness/test-database.js';

const CONN_SSL_VIEW = `
  CREATE VIEW conn_ssl AS
    SELECT s.ssl, s.version, s.client_dn FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid();
  GRANT SELECT ON conn_ssl TO PUBLIC;`;

interface ConnSsl { ssl: boolean; version: string | null; client_dn: string | null }

let db: TestDatabase;
let certs: string;
let catalog: CatalogJson;
/** A second CA that signed nothing the servers use. */
let otherCaDir: string;
/** A private cluster started with ssl = off (later switched to the wrong-host certificate). */
let plain: Cluster;
let plainCatalog: CatalogJson;

const skip = process.env.TAP_POSTGRES_TEST_URL !== undefined && !process.env.TAP_POSTGRES_TEST_CERTS
  ? 'the external test server has no harness certificates (TAP_POSTGRES_TEST_CERTS unset)'
  : false;

function makeOtherCa(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tap-other-ca-'));
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=not the tap-postgres test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return dir;
}

before(async () => {
  if (skip !== false) return;
  otherCaDir = makeOtherCa();
  const [database, cluster] = await Promise.all([createTestDatabase('ssl'), startCluster({ settings: { ssl: 'off' } })]);
  db = database;
  plain = cluster;
  assert.ok(db.certsDir, 'the harness server has certificates');
  certs = db.certsDir;
  await db.query(`${CONN_SSL_VIEW}
    GRANT CONNECT ON DATABASE ${quoteIdent(db.name)} TO tap_ssl, tap_cert;`);
  await plain.query(CONN_SSL_VIEW);
  const select = (c: CatalogJson, id: string): CatalogJson => selectInCatalog(c, { [id]: {} });
  [catalog, plainCatalog] = await Promise.all([
    discoverCatalog(db.tapConfig({ sslmode: 'disable' })).then((c) => select(c, `${db.name}-public-conn_ssl`)),
    discoverCatalog(plainConfig()).then((c) => select(c, 'postgres-public-conn_ssl')),
  ]);
});

after(async () => {
  await db?.close();
  await plain?.stop();
  if (otherCaDir) rmSync(otherCaDir, { recursive: true, force: true });
});

function plainConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { host: '127.0.0.1', port: plain.port, user: 'tapuser', password: 'tappass', dbname: 'postgres', filter_dbs: 'postgres', ...overrides };
}

/** What the server says about the tap's own connection during a sync. */
async function connSsl(config: Record<string, unknown>, selected = catalog): Promise<ConnSsl> {
  const result = await runSync(config, selected);
  assert.equal(result.code, 0, `${JSON.stringify(config)}\n${result.stderr}`);
  const rows = records(result.lines, 'conn_ssl');
  assert.equal(rows.length, 1, result.stdout);
  return rows[0] as unknown as ConnSsl;
}

/** The CLI's failure contract: exit 1, empty stdout, exactly one error line with this code, no stack. */
function assertOneLineError(result: TapResult, code: string): { msg: string; hint: string } {
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stdout, '', 'nothing on stdout');
  const lines = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const errors = lines.filter((line) => (line.level as number) >= 50);
  assert.equal(errors.length, 1, result.stderr);
  assert.equal(errors[0]!.code, code, result.stderr);
  assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  return errors[0] as { msg: string; hint: string };
}

const verified = (): Record<string, unknown> => ({ ssl_root_cert: join(certs, 'ca.crt') });

/** tap_cert logs in with its client certificate only (pg_hba "cert"), no password. */
function cert(overrides: Record<string, unknown>): Record<string, unknown> {
  const config = db.tapConfig({ user: 'tap_cert', ...overrides });
  delete config.password;
  return config;
}

test('every sslmode against the harness server: TLS exactly when the mode asks for it', { skip }, async () => {
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['disable', { sslmode: 'disable' }, false],
    ['allow (plain text first, and the server accepts it)', { sslmode: 'allow' }, false],
    ['prefer', { sslmode: 'prefer' }, true],
    ['no sslmode (prefer is the default)', {}, true],
    ['require', { sslmode: 'require' }, true],
    ['verify-ca', { sslmode: 'verify-ca', ...verified() }, true],
    ['verify-full', { sslmode: 'verify-full', ...verified() }, true],
    ['verify-full, host localhost', { sslmode: 'verify-full', host: 'localhost', ...verified() }, true],
    ['ssl: true (require)', { ssl: true }, true],
    ['ssl: "true" as Stitch writes it', { ssl: 'true' }, true],
  ];
  const seen = await Promise.all(cases.map(([, overrides]) => connSsl(db.tapConfig(overrides))));
  cases.forEach(([name, , tls], i) => {
    assert.equal(seen[i]!.ssl, tls, `${name}: pg_stat_ssl.ssl`);
    if (tls) assert.match(seen[i]!.version ?? '', /^TLSv1\.[23]$/, name);
  });
});

test('tap_ssl, which pg_hba admits only over TLS: discovery and sync for every encrypting mode, disable is refused', { skip }, async () => {
  const ssl = (overrides: Record<string, unknown>): Record<string, unknown> => db.tapConfig({ user: 'tap_ssl', password: 'tappass', ...overrides });
  const discovered = await discoverCatalog(ssl({ sslmode: 'verify-full', ...verified() }));
  assert.ok(discovered.streams.some((s) => s.tap_stream_id === `${db.name}-public-conn_ssl`), 'discovered as tap_ssl');
  const modes: Array<Record<string, unknown>> = [
    { sslmode: 'allow' }, // plain text is rejected by pg_hba, so libpq's allow retries with TLS
    { sslmode: 'prefer' },
    { sslmode: 'require' },
    { ssl: true },
    { sslmode: 'verify-ca', ...verified() },
    { sslmode: 'verify-full', ...verified() },
  ];
  const seen = await Promise.all(modes.map((mode) => connSsl(ssl(mode))));
  for (const [i, row] of seen.entries()) assert.equal(row.ssl, true, JSON.stringify(modes[i]));
  const refused = await runSync(ssl({ sslmode: 'disable' }), catalog);
  const error = assertOneLineError(refused, 'PG_AUTH_FAILED');
  assert.match(error.msg, /tap_ssl/);
});

test('client certificate authentication (tap_cert, pg_hba "cert"): key and certificate as paths and as inline PEM', { skip }, async () => {
  const paths = { ssl_cert: join(certs, 'client.crt'), ssl_key: join(certs, 'client.key') };
  const inline = { ssl_cert: readFileSync(paths.ssl_cert, 'utf8'), ssl_key: readFileSync(paths.ssl_key, 'utf8'), ssl_root_cert: readFileSync(join(certs, 'ca.crt'), 'utf8') };
  const discovered = await discoverCatalog(cert({ sslmode: 'verify-full', ...verified(), ...paths }));
  assert.ok(discovered.streams.some((s) => s.tap_stream_id === `${db.name}-public-conn_ssl`), 'discovered as tap_cert');
  const [byPath, byPem, byRequire] = await Promise.all([
    connSsl(cert({ sslmode: 'verify-full', ...verified(), ...paths })),
    connSsl(cert({ sslmode: 'verify-full', ...inline })),
    connSsl(cert({ sslmode: 'require', ...paths })),
  ]);
  for (const row of [byPath, byPem, byRequire]) {
    assert.equal(row.ssl, true);
    assert.equal(row.client_dn, '/CN=tap_cert', 'the server saw the client certificate');
  }
  // The inline key never reaches stderr, not even at debug level where the failure's cause is logged.
  const keyLines = inline.ssl_key.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
  const debugRun = await runTap(['--config', '@config', '--catalog', '@catalog', '--log-level', 'debug'], {
    files: { config: cert({ sslmode: 'verify-full', ...inline, ssl_root_cert: readFileSync(join(otherCaDir, 'ca.crt'), 'utf8') }), catalog },
  });
  assert.equal(debugRun.code, 1, debugRun.stderr);
  assert.match(debugRun.stderr, /PG_SSL_VERIFY_FAILED/);
  for (const line of keyLines) assert.ok(!debugRun.stderr.includes(line), 'no line of the client key in stderr');
  assert.doesNotMatch(debugRun.stderr, /PRIVATE KEY/);
});

test('a server certificate from another CA: PG_SSL_VERIFY_FAILED names the chain check', { skip }, async () => {
  const otherCa = join(otherCaDir, 'ca.crt');
  const cases = ['verify-ca', 'verify-full'].flatMap((mode) => [otherCa, readFileSync(otherCa, 'utf8')].map((rootCert) => ({ sslmode: mode, ssl_root_cert: rootCert })));
  const results = await Promise.all(cases.map((overrides) => runSync(db.tapConfig(overrides), catalog)));
  results.forEach((result, i) => {
    const error = assertOneLineError(result, 'PG_SSL_VERIFY_FAILED');
    assert.match(error.msg, /chain check/, `${cases[i]!.sslmode}: ${error.msg}`);
    assert.doesNotMatch(error.msg, /host name/);
    assert.match(error.msg, new RegExp(`127\\.0\\.0\\.1:${db.port}`));
  });
});

test('tap_cert without a client certificate is refused as an authentication failure, not as a bad server certificate', {
  skip,
}, async () => {
  const result = await runSync(cert({ sslmode: 'verify-full', ...verified() }), catalog);
  const error = assertOneLineError(result, 'PG_AUTH_FAILED');
  assert.match(error.msg, /tap_cert/);
  assert.doesNotMatch(error.msg, /chain check/);
});

test('a server without SSL: require and verify-* fail with PG_SSL_REFUSED, prefer falls back to plain text', { skip }, async () => {
  const refusing: Array<Record<string, unknown>> = [{ sslmode: 'require' }, { ssl: true }, { sslmode: 'verify-full', ssl_root_cert: join(plain.certsDir, 'ca.crt') }];
  const modes = ['prefer', 'allow', 'disable'];
  const [refused, fallbacks] = await Promise.all([
    Promise.all(refusing.map((overrides) => runSync(plainConfig(overrides), plainCatalog))),
    Promise.all(modes.map((mode) => connSsl(plainConfig({ sslmode: mode }), plainCatalog))),
  ]);
  refused.forEach((result, i) => {
    const error = assertOneLineError(result, 'PG_SSL_REFUSED');
    assert.match(error.msg, new RegExp(`127\\.0\\.0\\.1:${plain.port}`), JSON.stringify(refusing[i]));
  });
  for (const [i, row] of fallbacks.entries()) assert.equal(row.ssl, false, modes[i]);
});

test('a server certificate for another host name: verify-full fails naming the host-name check, verify-ca passes', { skip }, async () => {
  // The private cluster switches from no SSL to the harness's wrong.example.com certificate.
  await plain.query(`ALTER SYSTEM SET ssl_cert_file = '${join(plain.certsDir, 'wronghost.crt')}'`);
  await plain.query(`ALTER SYSTEM SET ssl_key_file = '${join(plain.certsDir, 'wronghost.key')}'`);
  await plain.query('ALTER SYSTEM SET ssl = on');
  await plain.query('SELECT pg_reload_conf()');
  for (let i = 0; ; i++) {
    const [row] = await plain.query<{ ssl: string }>("SELECT current_setting('ssl') AS ssl");
    if (row!.ssl === 'on') break;
    assert.ok(i < 100, 'ssl = on took effect after reload');
    await new Promise((r) => setTimeout(r, 50));
  }
  const rootCert = join(plain.certsDir, 'ca.crt');
  const [byIp, byName, ca, required] = await Promise.all([
    runSync(plainConfig({ host: '127.0.0.1', sslmode: 'verify-full', ssl_root_cert: rootCert }), plainCatalog),
    runSync(plainConfig({ host: 'localhost', sslmode: 'verify-full', ssl_root_cert: rootCert }), plainCatalog),
    connSsl(plainConfig({ sslmode: 'verify-ca', ssl_root_cert: rootCert }), plainCatalog),
    connSsl(plainConfig({ sslmode: 'require' }), plainCatalog),
  ]);
  for (const result of [byIp, byName]) {
    const error = assertOneLineError(result, 'PG_SSL_VERIFY_FAILED');
    assert.match(error.msg, /host name check/, error.msg);
    assert.doesNotMatch(error.msg, /chain check/);
  }
  assert.equal(ca.ssl, true, 'verify-ca checks only the chain');
  assert.equal(required.ssl, true);
});
