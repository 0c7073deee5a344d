// SSH tunnel through a real sshd on a loopback port, all through the real CLI: discovery,
// FULL_TABLE and LOG_BASED syncs, TLS through the tunnel, every authentication method, every
// host_key form, one SSH session per run, and proof from sshd's own log that the tunnel is used.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { messagesOfType, records, selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { runTap, spawnTap, type TapResult } from '../harness/run-cli.js';
import { assertSingerStream } from '../harness/singer-assert.js';
import { startSshd, sshdUnavailable, type Sshd } from '../harness/sshd.js';
import { discoverCatalog, runSync } from '../harness/tap-steps.js';
import { createTestDatabase, quoteIdent, type TestDatabase } from '../harness/test-database.js';

const skip = sshdUnavailable() ?? false;

let sshd: Sshd;
let db: TestDatabase;
let other: TestDatabase;
let catalog: CatalogJson;
let scratch: string;
const id = (database: TestDatabase, table: string): string => `${database.name}-public-${table}`;

before(async () => {
  if (skip !== false) return;
  scratch = mkdtempSync(join(tmpdir(), 'tap-ssh-test-'));
  [sshd, db, other] = await Promise.all([startSshd(), createTestDatabase('ssh_tunnel'), createTestDatabase('ssh_tunnel_other')]);
  await db.query(`
    CREATE TABLE items (id int PRIMARY KEY, name text);
    INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three');
    CREATE VIEW conn_ssl AS SELECT s.ssl, s.version FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid();
    GRANT SELECT ON items, conn_ssl TO tapuser, tap_ssl;
    GRANT CONNECT ON DATABASE ${quoteIdent(db.name)} TO tap_ssl;`);
  // Its own statement: a slot cannot be created in a transaction that has written.
  await db.query("SELECT pg_create_logical_replication_slot('stitch_' || current_database(), 'wal2json')");
  await other.query(`
    CREATE TABLE gadgets (id int PRIMARY KEY, label text);
    INSERT INTO gadgets VALUES (10, 'ten');
    GRANT SELECT ON gadgets TO tapuser;`);
  catalog = await discoverCatalog(db.tapConfig());
});

after(async () => {
  await sshd?.stop();
  await db?.close();
  await other?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function passwordTunnel(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { host: sshd.host, port: sshd.port, username: sshd.users.password.name, password: sshd.users.password.password, host_key: sshd.hostKeyFingerprint, ...extra };
}

function keyTunnel(privateKey: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { host: sshd.host, port: sshd.port, username: sshd.users.key.name, private_key: privateKey, host_key: sshd.hostKeyFingerprint, ...extra };
}

/** The config of `database` (host/port as the bastion sees them) with an SSH tunnel. */
function viaTunnel(tunnel: Record<string, unknown>, overrides: Record<string, unknown> = {}, database = db): Record<string, unknown> {
  return database.tapConfig({ ssh_tunnel: tunnel, logical_poll_total_seconds: 2, ...overrides });
}

interface SshdActivity<T> {
  value: T;
  /** "Accepted password|publickey for ..." lines: one per SSH session. */
  sessions: string[];
  /** Target ports of direct-tcpip channels. */
  forwards: number[];
  /** Client ports of sessions the tap ended with an SSH disconnect message (a clean close). */
  cleanlyClosed: number[];
  log: string;
}

const sessionPort = (line: string): number => Number(/ from \S+ port (\d+)/.exec(line)?.[1]);

/** Runs `work` and returns what sshd logged meanwhile: its SSH sessions and direct-tcpip forwards. */
async function watchSshd<T>(work: () => Promise<T>): Promise<SshdActivity<T>> {
  const mark = sshd.logText().length;
  const value = await work();
  const read = (): SshdActivity<T> => {
    const log = sshd.logText().slice(mark);
    const sessions = log.split('\n').filter((line) => /Accepted (password|publickey) for /.test(line));
    const forwards = [...log.matchAll(/server_request_direct_tcpip: originator \S+ port \d+, target \S+ port (\d+)/g)].map((m) => Number(m[1]));
    const cleanlyClosed = [...log.matchAll(/Received disconnect from \S+ port (\d+):11:/g)].map((m) => Number(m[1]));
    return { value, sessions, forwards, cleanlyClosed, log };
  };
  // sshd's per-connection processes write their lines asynchronously: wait (briefly) until every
  // session seen has logged its end.
  for (let i = 0; i < 40; i++) {
    const seen = read();
    if (seen.sessions.length > 0 && seen.sessions.every((line) => seen.cleanlyClosed.includes(sessionPort(line)))) return seen;
    await new Promise((r) => setTimeout(r, 50));
  }
  return read();
}

/** Every SSH session of the run ended with the tap's disconnect message, not a dropped socket. */
function assertClosedCleanly(activity: SshdActivity<unknown>): void {
  for (const line of activity.sessions) assert.ok(activity.cleanlyClosed.includes(sessionPort(line)), `session ${line} was closed with an SSH disconnect:\n${activity.log}`);
}

function assertNoSecrets(stderr: string): void {
  const secrets = [sshd.users.password.password, sshd.keys.passphrase,
    ...[sshd.keys.rsa, sshd.keys.ecdsa, sshd.keys.ed25519, sshd.keys.encryptedEd25519].flatMap((key) => key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')))];
  for (const secret of secrets) assert.ok(!stderr.includes(secret), 'no password, passphrase or key text in stderr');
  assert.doesNotMatch(stderr, /PRIVATE KEY/);
}

function syncOk(result: TapResult): TapResult {
  assert.equal(result.code, 0, result.stderr);
  assertSingerStream(result.lines);
  assertNoSecrets(result.stderr);
  return result;
}

test('discovery and FULL_TABLE sync through the tunnel (password user), every forward goes to the database port', { skip }, async () => {
  const discovery = await watchSshd(() => discoverCatalog(viaTunnel(passwordTunnel())));
  assert.ok(discovery.value.streams.some((s) => s.tap_stream_id === id(db, 'items')), 'items discovered through the tunnel');
  assert.equal(discovery.sessions.length, 1, discovery.log);
  assert.match(discovery.sessions[0]!, new RegExp(`Accepted password for ${sshd.users.password.name} `));
  assert.ok(discovery.forwards.length >= 1, discovery.log);
  assert.deepEqual([...new Set(discovery.forwards)], [db.port], 'forwards go to the database port');
  assertClosedCleanly(discovery);

  const sync = await watchSshd(async () => syncOk(await runSync(viaTunnel(passwordTunnel()), selectInCatalog(catalog, { [id(db, 'items')]: {} }))));
  assert.deepEqual(records(sync.value.lines, 'items').map((r) => r.id), [1, 2, 3]);
  assert.equal(sync.sessions.length, 1);
  assert.deepEqual([...new Set(sync.forwards)], [db.port]);
  assertClosedCleanly(sync);
});

test('LOG_BASED through the tunnel with verify-full: initial copy, then changes over the replication connection', { skip }, async () => {
  const selected = selectInCatalog(catalog, { [id(db, 'items')]: { method: 'LOG_BASED' } });
  // TLS verified against the real host on both the query and the replication connection.
  const config = viaTunnel(keyTunnel(sshd.keys.ed25519), { host: 'localhost', sslmode: 'verify-full', ssl_root_cert: join(db.certsDir!, 'ca.crt') });
  const first = await watchSshd(async () => syncOk(await runSync(config, selected)));
  assert.deepEqual(records(first.value.lines, 'items').map((r) => r.id), [1, 2, 3]);
  assert.equal(first.sessions.length, 1, 'the replication connection shares the one SSH session');
  const states = messagesOfType<{ value: unknown }>(first.value.lines, 'STATE');
  const state = states.at(-1)!.value;

  await db.query("INSERT INTO items VALUES (4, 'four'); UPDATE items SET name = 'uno' WHERE id = 1; DELETE FROM items WHERE id = 2");
  const second = await watchSshd(async () => syncOk(await runSync(config, selected, state)));
  const changes = records(second.value.lines, 'items');
  const byId = new Map(changes.map((r) => [r.id, r]));
  assert.equal(byId.get(4)?.name, 'four', JSON.stringify(changes));
  assert.equal(byId.get(1)?.name, 'uno');
  assert.ok(byId.get(2)?._sdc_deleted_at, 'the delete of 2 arrived');
  assert.ok(!byId.has(3), 'only changes, no second copy');
  assert.equal(second.sessions.length, 1);
  assert.ok(second.forwards.length >= 2, 'a query connection and a replication connection went through the tunnel');
  assert.deepEqual([...new Set(second.forwards)], [db.port]);
  assertClosedCleanly(second);
});

test('SIGTERM during a LOG_BASED run through the tunnel: exit 143 and the SSH session is closed cleanly', { skip }, async () => {
  const selected = selectInCatalog(catalog, { [id(db, 'items')]: { method: 'LOG_BASED' } });
  const config = viaTunnel(passwordTunnel(), { logical_poll_total_seconds: 60, break_at_end_lsn: false });
  const run = await watchSshd(async () => {
    const child = spawnTap(['--config', '@config', '--catalog', '@catalog'], { files: { config, catalog: selected } });
    const ended = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    // The initial copy is done and the replication session holds the slot: the run is streaming
    // changes through the tunnel when the signal comes.
    const slot = `stitch_${db.name}`;
    for (let i = 0; ; i++) {
      const [row] = await db.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      if (row?.active === true) break;
      assert.ok(i < 600 && child.exitCode === null, `the tap took slot ${slot} within 30 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    return ended;
  });
  assert.equal(run.value, 143);
  assert.equal(run.sessions.length, 1, run.log);
  assertClosedCleanly(run);
});

test('TLS through the tunnel: verify-full checks the certificate against the host as the bastion sees it', { skip }, async () => {
  const selected = selectInCatalog(catalog, { [id(db, 'conn_ssl')]: {} });
  // tap_ssl is admitted only over TLS (pg_hba hostssl / hostnossl reject).
  const config = (host: string): Record<string, unknown> => viaTunnel(passwordTunnel(), { host, user: 'tap_ssl', password: 'tappass', sslmode: 'verify-full', ssl_root_cert: join(db.certsDir!, 'ca.crt') });
  const discovered = await discoverCatalog(config('127.0.0.1'));
  assert.ok(discovered.streams.some((s) => s.tap_stream_id === id(db, 'conn_ssl')), 'discovered as tap_ssl through the tunnel');
  for (const host of ['127.0.0.1', 'localhost']) {
    const run = await watchSshd(async () => syncOk(await runSync(config(host), selected)));
    const [row] = records(run.value.lines, 'conn_ssl');
    assert.equal(row?.ssl, true, `${host}: the backend reports TLS`);
    assert.match(String(row?.version), /^TLSv1\.[23]$/);
    assert.equal(run.sessions.length, 1);
  }
});

test('each private key type authenticates: RSA, ECDSA, Ed25519, and an encrypted Ed25519 key with its passphrase', { skip }, async () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['RSA', keyTunnel(sshd.keys.rsa), 'RSA'],
    ['ECDSA', keyTunnel(sshd.keys.ecdsa), 'ECDSA'],
    ['Ed25519', keyTunnel(sshd.keys.ed25519), 'ED25519'],
    ['encrypted Ed25519', keyTunnel(sshd.keys.encryptedEd25519, { private_key_passphrase: sshd.keys.passphrase }), 'ED25519'],
  ];
  // At debug level, where the most is logged: still no key or passphrase in stderr.
  const run = await watchSshd(() => Promise.all(cases.map(([, tunnel]) => runTap(['--config', '@config', '--discover', '--log-level', 'debug'], { files: { config: viaTunnel(tunnel) } }))));
  run.value.forEach((result, i) => {
    assert.equal(result.code, 0, result.stderr);
    assert.ok((JSON.parse(result.stdout) as CatalogJson).streams.length > 0, cases[i]![0]);
    assertNoSecrets(result.stderr);
  });
  // The runs overlap, so sshd's log is read as a whole: one accepted session per run, by key type.
  const types = run.sessions.map((line) => {
    assert.match(line, new RegExp(`Accepted publickey for ${sshd.users.key.name} from `), line);
    return /ssh2: (\S+) SHA256:/.exec(line)?.[1];
  });
  assert.deepEqual(types.sort(), cases.map(([, , type]) => type).sort(), run.log);
});

test('host_key as a fingerprint, a public key line or a known_hosts file verifies the bastion silently', { skip }, async () => {
  const knownHosts = join(scratch, 'known_hosts');
  writeFileSync(knownHosts, [
    '# other hosts first',
    `[192.0.2.1]:${sshd.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl`,
    `[${sshd.host}]:${sshd.port} ${sshd.hostPublicKeyLine}`,
  ].join('\n') + '\n');
  const forms = [sshd.hostKeyFingerprint, sshd.hostPublicKeyLine, knownHosts];
  const results = await Promise.all(forms.map((hostKey) => runSync(viaTunnel(passwordTunnel({ host_key: hostKey })), selectInCatalog(catalog, { [id(db, 'items')]: {} }))));
  results.forEach((result, i) => {
    syncOk(result);
    assert.doesNotMatch(result.stderr, /NOT verified/, `host_key form ${i}`);
  });
});

test('host_key as a known_hosts file with hashed host names (ssh-keyscan -H, HashKnownHosts yes as Debian and Ubuntu ship it)', {
  skip,
}, async () => {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(`[${sshd.host}]:${sshd.port}`).digest('base64');
  const knownHosts = join(scratch, 'known_hosts_hashed');
  writeFileSync(knownHosts, `|1|${salt.toString('base64')}|${hash} ${sshd.hostPublicKeyLine}\n`);
  syncOk(await runSync(viaTunnel(passwordTunnel({ host_key: knownHosts })), selectInCatalog(catalog, { [id(db, 'items')]: {} })));
});

test('no host_key: the run works but warns loudly with the fingerprint to pin', { skip }, async () => {
  const tunnel = passwordTunnel();
  delete tunnel.host_key;
  const result = syncOk(await runSync(viaTunnel(tunnel), selectInCatalog(catalog, { [id(db, 'items')]: {} })));
  const warnings = result.stderr.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.level === 40 && /NOT verified/.test(String(line.msg)));
  assert.equal(warnings.length, 1, result.stderr);
  assert.ok(String(warnings[0]!.msg).includes(sshd.hostKeyFingerprint), 'the warning names the fingerprint to set');
  assert.match(String(warnings[0]!.msg), /host_key/);
});

test('one SSH session per run, shared by every database of the run', { skip }, async () => {
  const both = { filter_dbs: `${db.name},${other.name}` };
  const discovery = await watchSshd(() => discoverCatalog(viaTunnel(passwordTunnel(), both)));
  const ids = discovery.value.streams.map((s) => s.tap_stream_id);
  assert.ok(ids.includes(id(db, 'items')) && ids.includes(id(other, 'gadgets')), ids.join(', '));
  assert.equal(discovery.sessions.length, 1, discovery.log);
  assert.ok(discovery.forwards.length >= 2, 'a connection per database');

  const selected = selectInCatalog(discovery.value, { [id(db, 'items')]: {}, [id(other, 'gadgets')]: {} });
  const sync = await watchSshd(async () => syncOk(await runSync(viaTunnel(passwordTunnel(), both), selected)));
  assert.equal(records(sync.value.lines, 'gadgets').length, 1);
  assert.ok(records(sync.value.lines, 'items').length >= 2);
  assert.equal(sync.sessions.length, 1, sync.log);
  assert.ok(sync.forwards.length >= 2, 'both databases went through the one session');
});

// Last: it stops the bastion.
test('the tunnel is really used: sshd logs the forward, and without sshd the same config fails while the database is up', { skip }, async () => {
  const config = viaTunnel(passwordTunnel());
  const selected = selectInCatalog(catalog, { [id(db, 'items')]: {} });
  const run = await watchSshd(async () => syncOk(await runSync(config, selected)));
  assert.ok(run.forwards.includes(db.port), `sshd forwarded to ${db.host}:${db.port}:\n${run.log}`);

  await sshd.stop();
  const without = await runSync(config, selected);
  assert.equal(without.code, 1, without.stderr);
  assert.equal(without.stdout, '');
  const errors = without.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => (line.level as number) >= 50);
  assert.equal(errors.length, 1, without.stderr);
  assert.equal(errors[0]!.code, 'SSH_UNREACHABLE', without.stderr);
  // The database itself is still reachable directly.
  const direct = syncOk(await runSync(db.tapConfig(), selected));
  assert.ok(records(direct.lines, 'items').length >= 2);
});
