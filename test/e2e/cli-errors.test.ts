import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { runTap, type TapResult } from '../harness/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

let db: TestDatabase;
const CATALOG = { streams: [] };

before(async () => {
  db = await createTestDatabase('cli_errors');
});

after(async () => {
  await db?.close();
});

/** A port on which nothing listens: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The contract for every failure: exit 1, nothing on stdout, one error line with the code, no stack trace. */
function assertOneLineError(result: TapResult, code: string): Record<string, unknown> {
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stdout, '', 'nothing on stdout');
  const lines = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const errors = lines.filter((line) => (line.level as number) >= 50);
  assert.equal(errors.length, 1, result.stderr);
  const error = errors[0]!;
  assert.equal(error.code, code, result.stderr);
  assert.equal(typeof error.hint, 'string');
  assert.ok((error.hint as string).length > 10, 'the hint says what to do');
  assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  return error;
}

test('a missing config file is CONFIG_NOT_FOUND', async () => {
  const result = await runTap(['--config', '/nonexistent/config.json', '--discover']);
  assertOneLineError(result, 'CONFIG_NOT_FOUND');
});

test('malformed config JSON is CONFIG_INVALID_JSON and does not echo the file', async () => {
  const result = await runTap(['--config', '@config', '--discover'], { files: { config: '{"user": "u", "password": "hunter2-secret" oops}' } });
  const error = assertOneLineError(result, 'CONFIG_INVALID_JSON');
  assert.match(error.msg as string, /line 1, column/);
  assert.doesNotMatch(result.stderr, /hunter2/);
});

test('malformed catalog JSON is CATALOG_INVALID_JSON', async () => {
  const result = await runTap(['--config', '@config', '--catalog', '@catalog'], { files: { config: db.tapConfig(), catalog: '{"streams": [' } });
  assertOneLineError(result, 'CATALOG_INVALID_JSON');
});

test('malformed state JSON is STATE_INVALID_JSON', async () => {
  const result = await runTap(['--config', '@config', '--catalog', '@catalog', '--state', '@state'], {
    files: { config: db.tapConfig(), catalog: CATALOG, state: '{"bookmarks": }' },
  });
  assertOneLineError(result, 'STATE_INVALID_JSON');
});

test('a catalog without streams is CATALOG_INVALID', async () => {
  const result = await runTap(['--config', '@config', '--catalog', '@catalog'], { files: { config: db.tapConfig(), catalog: { nope: 1 } } });
  assertOneLineError(result, 'CATALOG_INVALID');
});

test('a config without user names the key', async () => {
  const config = db.tapConfig();
  delete config.user;
  const result = await runTap(['--config', '@config', '--discover'], { files: { config } });
  const error = assertOneLineError(result, 'CONFIG_INVALID');
  assert.match(error.msg as string, /"user"/);
});

test('a wrong password is PG_AUTH_FAILED and never printed', async () => {
  const result = await runTap(['--config', '@config', '--discover'], { files: { config: db.tapConfig({ password: 'wrong-Pa55word-xyz' }) } });
  assertOneLineError(result, 'PG_AUTH_FAILED');
  assert.doesNotMatch(result.stderr, /wrong-Pa55word-xyz/);
});

test('an unreachable server is PG_UNREACHABLE', async () => {
  const result = await runTap(['--config', '@config', '--discover'], { files: { config: db.tapConfig({ host: '127.0.0.1', port: await closedPort() }) } });
  assertOneLineError(result, 'PG_UNREACHABLE');
});

test('an unknown database is PG_DATABASE_NOT_FOUND', async () => {
  const result = await runTap(['--config', '@config', '--discover'], { files: { config: db.tapConfig({ dbname: 'no_such_database_here' }) } });
  assertOneLineError(result, 'PG_DATABASE_NOT_FOUND');
});

test('a failure on a TTY-less stderr is still one line in pretty format', async () => {
  const result = await runTap(['--config', '/nonexistent.json', '--discover', '--log-format', 'pretty']);
  assert.equal(result.code, 1);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /^tap-postgres: error CONFIG_NOT_FOUND: /);
});

test('usage mistakes exit 2', async () => {
  assert.equal((await runTap([])).code, 2);
  assert.equal((await runTap(['--no-such-flag'])).code, 2);
  assert.equal((await runTap(['--config', 'x.json', '--discover', '--catalog', 'y.json'])).code, 2);
});

test('--version, --help and --about answer on their own', async () => {
  const version = await runTap(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stderr + version.stdout, /\d+\.\d+\.\d+/);
  const help = await runTap(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stderr + help.stdout, /--discover/);
  const about = await runTap(['--about']);
  assert.equal(about.code, 0, about.stderr);
  const parsed = JSON.parse(about.stdout) as { capabilities: string[]; settings: { key: string }[] };
  assert.ok(parsed.capabilities.includes('discover'));
  assert.ok(parsed.settings.some((s) => s.key === 'filter_dbs'));
  const markdown = await runTap(['--about', '--format', 'markdown']);
  assert.match(markdown.stdout, /\| setting \| type \| default \| description \|/);
});
