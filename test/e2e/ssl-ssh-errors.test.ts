// Every SSH tunnel failure through the real CLI: one error line with its code, exit 1, nothing on
// stdout, and no secret (password, private key, passphrase) anywhere in stderr — also at debug
// level, where the cause of a failure is logged.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { selectInCatalog, type CatalogJson } from '../harness/catalog-select.js';
import { runTap, type TapResult } from '../harness/run-cli.js';
import { startSshd, sshdUnavailable, type Sshd } from '../harness/sshd.js';
import { discoverCatalog } from '../harness/tap-steps.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

const skip = sshdUnavailable() ?? false;

let sshd: Sshd;
let db: TestDatabase;
let scratch: string;
let catalog: CatalogJson;
const WRONG_PASSWORD = `wrong-${randomBytes(6).toString('hex')}`;
const WRONG_PASSPHRASE = `wrong-${randomBytes(6).toString('hex')}`;

before(async () => {
  if (skip !== false) return;
  scratch = mkdtempSync(join(tmpdir(), 'tap-ssh-errors-'));
  [sshd, db] = await Promise.all([startSshd(), createTestDatabase('ssl_ssh_errors')]);
  await db.query('CREATE TABLE items (id int PRIMARY KEY); GRANT SELECT ON items TO tapuser');
  catalog = selectInCatalog(await discoverCatalog(db.tapConfig()), { [`${db.name}-public-items`]: {} });
});

after(async () => {
  await sshd?.stop();
  await db?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A port on which nothing listens: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function tunnel(extra: Record<string, unknown>): Record<string, unknown> {
  return { host: sshd.host, port: sshd.port, host_key: sshd.hostKeyFingerprint, ...extra };
}

const passwordUser = (): Record<string, unknown> => ({ username: sshd.users.password.name, password: sshd.users.password.password });

/** Discovery with this tunnel, at info and at debug level (both must obey the error contract). */
async function discover(ssh: Record<string, unknown>, overrides: Record<string, unknown> = {}): Promise<TapResult[]> {
  const config = db.tapConfig({ ssh_tunnel: ssh, ...overrides });
  return Promise.all(['info', 'debug'].map((level) => runTap(['--config', '@config', '--discover', '--log-level', level], { files: { config } })));
}

function secrets(): string[] {
  const keyLines = [sshd.keys.rsa, sshd.keys.ecdsa, sshd.keys.ed25519, sshd.keys.encryptedEd25519, sshd.keys.unknownEd25519]
    .flatMap((key) => key.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----')));
  return [sshd.users.password.password, sshd.keys.passphrase, WRONG_PASSWORD, WRONG_PASSPHRASE, 'tappass', ...keyLines];
}

/** Exit 1, empty stdout, exactly one error line with `code` and a hint, no stack, no secret. */
function assertFailure(results: TapResult[], code: string): string {
  let message = '';
  for (const result of results) {
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, '', 'nothing on stdout');
    const lines = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const errors = lines.filter((line) => (line.level as number) >= 50);
    assert.equal(errors.length, 1, `one error line:\n${result.stderr}`);
    assert.equal(errors[0]!.code, code, result.stderr);
    assert.ok(String(errors[0]!.hint).length > 10, 'the hint says what to do');
    assert.doesNotMatch(String(errors[0]!.msg), /\n/);
    assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
    for (const secret of secrets()) assert.ok(!result.stderr.includes(secret), `a secret appears in stderr:\n${result.stderr}`);
    assert.doesNotMatch(result.stderr, /PRIVATE KEY/);
    message = String(errors[0]!.msg);
  }
  return message;
}

test('wrong SSH password: SSH_AUTH_FAILED', { skip }, async () => {
  const message = assertFailure(await discover(tunnel({ username: sshd.users.password.name, password: WRONG_PASSWORD })), 'SSH_AUTH_FAILED');
  assert.match(message, new RegExp(sshd.users.password.name));
});

test('a key the bastion does not know: SSH_AUTH_FAILED', { skip }, async () => {
  assertFailure(await discover(tunnel({ username: sshd.users.key.name, private_key: sshd.keys.unknownEd25519 })), 'SSH_AUTH_FAILED');
});

test('a password for the key-only user: SSH_AUTH_FAILED', { skip }, async () => {
  assertFailure(await discover(tunnel({ username: sshd.users.key.name, password: sshd.users.password.password })), 'SSH_AUTH_FAILED');
});


test('an encrypted key with the wrong passphrase: SSH_AUTH_FAILED', { skip }, async () => {
  const message = assertFailure(await discover(tunnel({ username: sshd.users.key.name, private_key: sshd.keys.encryptedEd25519, private_key_passphrase: WRONG_PASSPHRASE })), 'SSH_AUTH_FAILED');
  assert.match(message, /passphrase/);
});

test('an encrypted key without a passphrase: SSH_AUTH_FAILED', { skip }, async () => {
  const message = assertFailure(await discover(tunnel({ username: sshd.users.key.name, private_key: sshd.keys.encryptedEd25519 })), 'SSH_AUTH_FAILED');
  assert.match(message, /passphrase/);
});

test('host key mismatch (fingerprint, public key line, known_hosts): SSH_HOST_KEY_MISMATCH, and nothing authenticates', { skip }, async () => {
  const otherKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
  const knownHosts = join(scratch, 'known_hosts');
  writeFileSync(knownHosts, `[${sshd.host}]:${sshd.port} ${otherKey}\n`);
  const mark = sshd.logText().length;
  const forms = [`SHA256:${randomBytes(32).toString('base64').replace(/=+$/, '')}`, otherKey, knownHosts];
  const results = await Promise.all(forms.map((hostKey) => discover(tunnel({ ...passwordUser(), host_key: hostKey }))));
  for (const result of results) {
    const message = assertFailure(result, 'SSH_HOST_KEY_MISMATCH');
    assert.ok(message.includes(sshd.hostKeyFingerprint), `the message names the key seen: ${message}`);
  }
  assert.doesNotMatch(sshd.logText().slice(mark), /Accepted password/, 'the password was never sent to the unverified host');
});

test('bastion unreachable (closed port): SSH_UNREACHABLE', { skip }, async () => {
  const port = await closedPort();
  const message = assertFailure(await discover({ ...tunnel(passwordUser()), port }), 'SSH_UNREACHABLE');
  assert.match(message, new RegExp(`127\\.0\\.0\\.1:${port}`));
});

test('database unreachable from the bastion (target port closed): PG_UNREACHABLE naming the bastion', { skip }, async () => {
  const port = await closedPort();
  const mark = sshd.logText().length;
  const results = await discover(tunnel(passwordUser()), { port });
  // The tunnel itself was up: each run closed its SSH session cleanly (a disconnect message).
  for (let i = 0; i < 40 && [...sshd.logText().slice(mark).matchAll(/Received disconnect from .*:11:/g)].length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal([...sshd.logText().slice(mark).matchAll(/Received disconnect from .*:11:/g)].length, 2, sshd.logText().slice(mark));
  for (const result of results) {
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, '');
    const final = JSON.parse(result.stderr.trim().split('\n').at(-1)!) as Record<string, unknown>;
    assert.equal(final.code, 'PG_UNREACHABLE', result.stderr);
    assert.match(String(final.msg), new RegExp(`bastion ${sshd.host.replace(/\./g, '\\.')}`));
    assert.match(String(final.msg), new RegExp(`127\\.0\\.0\\.1:${port}`));
    for (const secret of secrets()) assert.ok(!result.stderr.includes(secret), 'no secret in stderr');
  }
});

test('database unreachable from the bastion: exactly one error line', {
  skip,
}, async () => {
  const port = await closedPort();
  assertFailure(await discover(tunnel(passwordUser()), { port }), 'PG_UNREACHABLE');
});

test('the same errors during a sync (not only discovery)', { skip }, async () => {
  const config = db.tapConfig({ ssh_tunnel: tunnel({ username: sshd.users.password.name, password: WRONG_PASSWORD }) });
  const result = await runTap(['--config', '@config', '--catalog', '@catalog'], { files: { config, catalog } });
  assertFailure([result], 'SSH_AUTH_FAILED');
});
