import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseConfig } from '../../src/config/load-config.js';
import type { TapConfig } from '../../src/config/tap-config.js';
import { TapError } from '../../src/errors.js';

const SECRET = 'Zq9-very-distinctive-pw-7731';

/** Runs `fn`, expects a TapError with code CONFIG_INVALID, and returns it. */
function configError(fn: () => unknown): TapError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TapError, `expected a TapError, got ${String(error)}`);
    assert.equal(error.code, 'CONFIG_INVALID');
    return error;
  }
  assert.fail('expected parseConfig to throw');
}

function assertNoSecret(error: TapError, secret: string = SECRET): void {
  assert.ok(!error.message.includes(secret), `message leaks the secret: ${error.message}`);
  assert.ok(!error.hint.includes(secret), `hint leaks the secret: ${error.hint}`);
  assert.ok(!String(error.stack).includes(secret), 'stack leaks the secret');
}

test('defaults are applied', () => {
  const config = parseConfig({ user: 'u', dbname: 'd' }, {});
  assert.equal(config.host, 'localhost');
  assert.equal(config.port, 5432);
  assert.equal(config.user, 'u');
  assert.equal(config.dbname, 'd');
  assert.equal(config.password, undefined);
  assert.ok(!('password' in config));
  assert.equal(config.itersize, 20000);
  assert.equal(config.stateIntervalRows, 10000);
  assert.equal(config.logicalPollTotalSeconds, 10);
  assert.equal(config.maxRunSeconds, 43200);
  assert.equal(config.breakAtEndLsn, true);
  assert.equal(config.includeSchemasInStreamName, false);
  assert.equal(config.discoverPartitions, false);
  assert.equal(config.filterDbs, null);
  assert.equal(config.filterSchemas, null);
  assert.equal(config.sshTunnel, null);
  assert.equal(config.defaultReplicationMethod, null);
  assert.equal(config.slotName, null);
  assert.equal(config.ssl.mode, 'prefer');
});

test('explicit values are kept', () => {
  const config = parseConfig({
    host: 'db.example', port: 6543, user: 'u', password: 'p', dbname: 'd', itersize: 500, state_interval_rows: 7,
    logical_poll_total_seconds: 3, max_run_seconds: 60, break_at_end_lsn: false, include_schemas_in_destination_stream_name: true,
    default_replication_method: 'LOG_BASED', slot_name: 'my_slot', discover_partitions: true,
  }, {});
  assert.equal(config.host, 'db.example');
  assert.equal(config.port, 6543);
  assert.equal(config.password, 'p');
  assert.equal(config.itersize, 500);
  assert.equal(config.stateIntervalRows, 7);
  assert.equal(config.logicalPollTotalSeconds, 3);
  assert.equal(config.maxRunSeconds, 60);
  assert.equal(config.breakAtEndLsn, false);
  assert.equal(config.includeSchemasInStreamName, true);
  assert.equal(config.defaultReplicationMethod, 'LOG_BASED');
  assert.equal(config.slotName, 'my_slot');
  assert.equal(config.discoverPartitions, true);
});

test('string booleans and string integers are coerced (Stitch writes strings)', () => {
  const config = parseConfig({
    user: 'u', dbname: 'd', port: '6543', itersize: '100', state_interval_rows: '25', max_run_seconds: '90',
    logical_poll_total_seconds: '4', ssl: 'true', break_at_end_lsn: 'false', include_schemas_in_destination_stream_name: 'true',
    discover_partitions: 'false',
  }, {});
  assert.equal(config.port, 6543);
  assert.equal(config.itersize, 100);
  assert.equal(config.stateIntervalRows, 25);
  assert.equal(config.maxRunSeconds, 90);
  assert.equal(config.logicalPollTotalSeconds, 4);
  assert.equal(config.ssl.mode, 'require');
  assert.equal(config.breakAtEndLsn, false);
  assert.equal(config.includeSchemasInStreamName, true);
  assert.equal(config.discoverPartitions, false);
});

test('ssl "false" string stays off', () => {
  assert.equal(parseConfig({ user: 'u', dbname: 'd', ssl: 'false' }, {}).ssl.mode, 'prefer');
});

test('PG* environment variables fill every missing key', () => {
  const config = parseConfig({}, {
    PGHOST: 'envhost', PGPORT: '6000', PGUSER: 'envuser', PGPASSWORD: 'envpw', PGDATABASE: 'envdb', PGSSLMODE: 'verify-full',
  });
  assert.equal(config.host, 'envhost');
  assert.equal(config.port, 6000);
  assert.equal(config.user, 'envuser');
  assert.equal(config.password, 'envpw');
  assert.equal(config.dbname, 'envdb');
  assert.equal(config.ssl.mode, 'verify-full');
});

test('PG* environment variables never override keys the file sets', () => {
  const config = parseConfig(
    { host: 'filehost', port: 5433, user: 'fileuser', password: 'filepw', dbname: 'filedb', sslmode: 'disable' },
    { PGHOST: 'envhost', PGPORT: '6000', PGUSER: 'envuser', PGPASSWORD: 'envpw', PGDATABASE: 'envdb', PGSSLMODE: 'verify-full' },
  );
  assert.equal(config.host, 'filehost');
  assert.equal(config.port, 5433);
  assert.equal(config.user, 'fileuser');
  assert.equal(config.password, 'filepw');
  assert.equal(config.dbname, 'filedb');
  assert.equal(config.ssl.mode, 'disable');
});

test('PG* environment fills only the keys that are missing', () => {
  const config = parseConfig({ user: 'fileuser', dbname: 'filedb' }, { PGHOST: 'envhost', PGUSER: 'envuser', PGPASSWORD: 'envpw' });
  assert.equal(config.host, 'envhost');
  assert.equal(config.user, 'fileuser');
  assert.equal(config.password, 'envpw');
  assert.equal(config.dbname, 'filedb');
  assert.equal(config.port, 5432);
});

test('empty PG* environment variables are ignored', () => {
  const config = parseConfig({ user: 'u', dbname: 'd' }, { PGHOST: '', PGPORT: '' });
  assert.equal(config.host, 'localhost');
  assert.equal(config.port, 5432);
});

test('the process environment is not read when an env is given', () => {
  const config = parseConfig({ user: 'u', dbname: 'd' }, {});
  assert.equal(config.host, 'localhost');
});

test('missing user is CONFIG_INVALID naming "user"', () => {
  const error = configError(() => parseConfig({ dbname: 'd', password: SECRET }, {}));
  assert.match(error.message, /"user"/);
  assert.match(error.message, /required/);
  assert.match(error.hint, /PGUSER/);
  assertNoSecret(error);
});

test('missing dbname is CONFIG_INVALID naming "dbname"', () => {
  const error = configError(() => parseConfig({ user: 'u', password: SECRET }, {}));
  assert.match(error.message, /"dbname"/);
  assertNoSecret(error);
});

test('a config that is not an object is CONFIG_INVALID', () => {
  for (const raw of [null, 42, 'config', [], true]) {
    configError(() => parseConfig(raw, {}));
  }
});

test('wrong type is CONFIG_INVALID naming the key', () => {
  assert.match(configError(() => parseConfig({ user: 'u', dbname: 'd', port: 'abc', password: SECRET }, {})).message, /"port"/);
  assert.match(configError(() => parseConfig({ user: 'u', dbname: 'd', port: 70000 }, {})).message, /"port"/);
  assert.match(configError(() => parseConfig({ user: 'u', dbname: 'd', port: 0 }, {})).message, /"port"/);
  assert.match(configError(() => parseConfig({ user: 'u', dbname: 'd', itersize: 'lots' }, {})).message, /"itersize"/);
  assert.match(configError(() => parseConfig({ user: 'u', dbname: 'd', itersize: 0 }, {})).message, /"itersize"/);
  assert.match(configError(() => parseConfig({ user: 'u', dbname: 'd', ssl: 'maybe' }, {})).message, /"ssl"/);
  assert.match(configError(() => parseConfig({ user: 'u', dbname: 'd', sslmode: 'sometimes' }, {})).message, /"sslmode"/);
  assert.match(configError(() => parseConfig({ user: 'u', dbname: 'd', default_replication_method: 'SOMETIMES' }, {})).message, /"default_replication_method"/);
  assert.match(configError(() => parseConfig({ user: 'u', dbname: 'd', ssh_tunnel: { host: 'h', username: 'x', port: 'abc' } }, {})).message, /"ssh_tunnel\.port"/);
});

test('wrong type from the environment names the key', () => {
  assert.match(configError(() => parseConfig({ user: 'u', dbname: 'd' }, { PGPORT: 'abc' })).message, /"port"/);
});

test('a password never appears in any error message or hint', () => {
  const cases: Array<[string, unknown, NodeJS.ProcessEnv]> = [
    ['bad port', { user: 'u', dbname: 'd', port: 'abc', password: SECRET }, {}],
    ['missing user', { dbname: 'd', password: SECRET }, {}],
    ['missing user, password from env', { dbname: 'd' }, { PGPASSWORD: SECRET }],
    ['bad sslmode', { user: 'u', dbname: 'd', sslmode: 'nope', password: SECRET }, {}],
    ['password of the wrong type', { user: 'u', dbname: 'd', password: { nested: SECRET } }, {}],
    ['password as an array', { user: 'u', dbname: 'd', password: [SECRET] }, {}],
    ['password as the user (wrong type)', { user: { name: SECRET }, dbname: 'd' }, {}],
    ['ssh tunnel without host, with password', { user: 'u', dbname: 'd', password: SECRET, ssh_tunnel: { username: 'x', password: SECRET } }, {}],
    ['ssh tunnel password of wrong type', { user: 'u', dbname: 'd', ssh_tunnel: { host: 'h', username: 'x', password: { p: SECRET } } }, {}],
    ['ssh private key of wrong type', { user: 'u', dbname: 'd', ssh_tunnel: { host: 'h', username: 'x', private_key: [SECRET] } }, {}],
    ['ssl_key of wrong type', { user: 'u', dbname: 'd', ssl_key: { pem: SECRET } }, {}],
  ];
  for (const [name, raw, env] of cases) {
    let error: TapError;
    try {
      error = configError(() => parseConfig(raw, env));
    } catch (assertion) {
      throw new Error(`case "${name}": ${(assertion as Error).message}`);
    }
    assertNoSecret(error);
  }
});

test('ssl: true means sslmode require', () => {
  assert.equal(parseConfig({ user: 'u', dbname: 'd', ssl: true }, {}).ssl.mode, 'require');
  assert.equal(parseConfig({ user: 'u', dbname: 'd', ssl: false }, {}).ssl.mode, 'prefer');
});

test('sslmode overrides ssl', () => {
  assert.equal(parseConfig({ user: 'u', dbname: 'd', ssl: true, sslmode: 'verify-full' }, {}).ssl.mode, 'verify-full');
  assert.equal(parseConfig({ user: 'u', dbname: 'd', ssl: true, sslmode: 'verify-ca' }, {}).ssl.mode, 'verify-ca');
  assert.equal(parseConfig({ user: 'u', dbname: 'd', ssl: false, sslmode: 'require' }, {}).ssl.mode, 'require');
  assert.equal(parseConfig({ user: 'u', dbname: 'd', sslmode: 'disable' }, {}).ssl.mode, 'disable');
});

test('ssl certificate paths are carried', () => {
  const config = parseConfig({ user: 'u', dbname: 'd', sslmode: 'verify-full', ssl_root_cert: '/ca.pem', ssl_cert: '/c.pem', ssl_key: '/k.pem' }, {});
  assert.deepEqual({ ...config.ssl }, { mode: 'verify-full', rootCert: '/ca.pem', cert: '/c.pem', key: '/k.pem' });
});

test('filter_dbs and filter_schemas are comma lists, trimmed, empties dropped', () => {
  const config = parseConfig({ user: 'u', dbname: 'd', filter_dbs: ' one , two,three ,, ', filter_schemas: 'public' }, {});
  assert.deepEqual(config.filterDbs, ['one', 'two', 'three']);
  assert.deepEqual(config.filterSchemas, ['public']);
  assert.equal(parseConfig({ user: 'u', dbname: 'd', filter_dbs: ' , ' }, {}).filterDbs, null);
});

test('ssh_tunnel without host is CONFIG_INVALID', () => {
  const error = configError(() => parseConfig({ user: 'u', dbname: 'd', ssh_tunnel: { enabled: true, username: 'x' } }, {}));
  assert.match(error.message, /ssh_tunnel/);
  assert.match(error.message, /host/);
});

test('ssh_tunnel without username is CONFIG_INVALID', () => {
  const error = configError(() => parseConfig({ user: 'u', dbname: 'd', ssh_tunnel: { host: 'bastion' } }, {}));
  assert.match(error.message, /ssh_tunnel/);
  assert.match(error.message, /username/);
});

/** An enabled tunnel is either honoured or refused: never silently dropped (that would connect directly). */
function tunnelOrRefusal(raw: Record<string, unknown>): TapConfig['sshTunnel'] {
  let config: TapConfig;
  try {
    config = parseConfig(raw, {});
  } catch (error) {
    assert.ok(error instanceof TapError, String(error));
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.match(error.message, /ssh_tunnel/);
    return null;
  }
  assert.notEqual(config.sshTunnel, null, 'an enabled ssh_tunnel must not be silently ignored');
  return config.sshTunnel;
}

test('ssh_tunnel settings and defaults (or a clear refusal while tunnels are unsupported)', () => {
  const tunnel = tunnelOrRefusal({ user: 'u', dbname: 'd', ssh_tunnel: { host: 'bastion', username: 'jump', private_key: 'KEY', host_key: 'HK' } });
  if (tunnel !== null) assert.deepEqual({ ...tunnel }, { host: 'bastion', port: 22, username: 'jump', privateKey: 'KEY', hostKey: 'HK' });
  const withPort = tunnelOrRefusal({ user: 'u', dbname: 'd', ssh_tunnel: { enabled: 'true', host: 'b', port: '2222', username: 'j', password: 'pw' } });
  if (withPort !== null) {
    assert.equal(withPort.port, 2222);
    assert.equal(withPort.password, 'pw');
    assert.ok(Object.isFrozen(withPort));
  }
});

test('an ssh_tunnel refusal does not leak the tunnel password or key', () => {
  for (const tunnel of [{ host: 'b', username: 'j', password: SECRET }, { host: 'b', username: 'j', private_key: SECRET, private_key_passphrase: SECRET }]) {
    try {
      parseConfig({ user: 'u', dbname: 'd', ssh_tunnel: tunnel }, {});
    } catch (error) {
      assert.ok(error instanceof TapError);
      assertNoSecret(error);
    }
  }
});

test('ssh_tunnel disabled (boolean or string) is off, even without host', () => {
  assert.equal(parseConfig({ user: 'u', dbname: 'd', ssh_tunnel: { enabled: false } }, {}).sshTunnel, null);
  assert.equal(parseConfig({ user: 'u', dbname: 'd', ssh_tunnel: { enabled: 'false', host: 'h', username: 'x' } }, {}).sshTunnel, null);
});

test('unknown keys only warn', () => {
  const config = parseConfig({ user: 'u', dbname: 'd', tap_foo: 1, pasword: 'typo' }, {});
  assert.equal(config.user, 'u');
  assert.ok(!('tap_foo' in config));
  assert.ok(!('pasword' in config));
});

test('the unknown-key warning names the key, never its value', () => {
  const module = new URL('../../src/config/load-config.js', import.meta.url).href;
  const script = `const { parseConfig } = await import(${JSON.stringify(module)});
parseConfig({ user: 'u', dbname: 'd', pasword: ${JSON.stringify(SECRET)} }, {});`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, '', 'nothing on stdout');
  assert.match(child.stderr, /pasword/);
  assert.ok(!child.stderr.includes(SECRET), `warning leaks the value: ${child.stderr}`);
});

test('the result is frozen', () => {
  const config = parseConfig({ user: 'u', dbname: 'd', filter_dbs: 'a,b' }, {});
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.ssl));
  assert.ok(Object.isFrozen(config.filterDbs));
  assert.throws(() => { (config as { port: number }).port = 1; }, TypeError);
  assert.throws(() => { (config.ssl as { mode: string }).mode = 'disable'; }, TypeError);
  assert.throws(() => { (config.filterDbs as string[]).push('c'); }, TypeError);
});

test('parseConfig does not mutate its input', () => {
  const raw = { user: 'u', dbname: 'd', port: '6543', ssl: 'true' };
  const copy = structuredClone(raw);
  parseConfig(raw, { PGHOST: 'envhost' });
  assert.deepEqual(raw, copy);
});

test('parseConfig does not mutate nested objects of its input (ssh_tunnel)', () => {
  const raw = { user: 'u', dbname: 'd', ssh_tunnel: { enabled: 'false', host: 'h', username: 'x', port: '2222' } };
  const copy = structuredClone(raw);
  parseConfig(raw, {});
  assert.deepEqual(raw, copy);
});
