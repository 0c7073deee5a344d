import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TapError } from '../../src/errors.js';
import { readJsonFile } from '../../src/files/json-file.js';

type Kind = 'CONFIG' | 'CATALOG' | 'STATE';
const KINDS: readonly Kind[] = ['CONFIG', 'CATALOG', 'STATE'];

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'tap-postgres-json-file-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text, 'utf8');
  return path;
}

async function readError(path: string, kind: Kind): Promise<TapError> {
  try {
    await readJsonFile(path, kind);
  } catch (error) {
    assert.ok(error instanceof TapError, `expected a TapError, got ${String(error)}`);
    assert.ok(error.hint.length > 0);
    return error;
  }
  assert.fail(`expected readJsonFile(${path}) to throw`);
}

function assertAbsent(error: TapError, secret: string): void {
  assert.ok(!error.message.includes(secret), `message leaks file text: ${error.message}`);
  assert.ok(!error.hint.includes(secret), `hint leaks file text: ${error.hint}`);
}

test('reads valid JSON', async () => {
  const path = await file('ok.json', '{"user": "u", "port": 5432, "list": [1, 2]}\n');
  assert.deepEqual(await readJsonFile(path, 'CONFIG'), { user: 'u', port: 5432, list: [1, 2] });
});

test('a missing file is <KIND>_NOT_FOUND naming the path', async () => {
  for (const kind of KINDS) {
    const path = join(dir, `missing-${kind}.json`);
    const error = await readError(path, kind);
    assert.equal(error.code, `${kind}_NOT_FOUND`);
    assert.ok(error.message.includes(path), error.message);
    assert.match(error.message, /does not exist/);
    assert.match(error.hint, new RegExp(`--${kind.toLowerCase()}`));
  }
});

test('a directory instead of a file is <KIND>_NOT_FOUND (cannot be read)', async () => {
  const error = await readError(dir, 'CATALOG');
  assert.equal(error.code, 'CATALOG_NOT_FOUND');
  assert.match(error.message, /cannot be read/);
});

test('malformed JSON is <KIND>_INVALID_JSON with line and column', async () => {
  for (const kind of KINDS) {
    const path = await file(`bad-${kind}.json`, '{\n  "user": "u",\n  "port": 5432,\n}\n');
    const error = await readError(path, kind);
    assert.equal(error.code, `${kind}_INVALID_JSON`);
    assert.ok(error.message.includes(path), error.message);
    assert.match(error.message, /line 4, column 1\b/);
  }
});

test('line and column point at the error on the first line', async () => {
  const path = await file('first-line.json', '{"a": 1,, "b": 2}');
  const error = await readError(path, 'CONFIG');
  assert.match(error.message, /line 1, column 9\b/);
});

test('the message never contains the file text', async () => {
  const path = await file('secret.json', '{"password": "hunter2-secret" x}');
  const error = await readError(path, 'CONFIG');
  assert.equal(error.code, 'CONFIG_INVALID_JSON');
  assert.match(error.message, /line 1, column \d+/);
  assertAbsent(error, 'hunter2');
  assertAbsent(error, 'password');
});

test('the message never contains the file text, whatever the syntax error', async () => {
  const texts = [
    '{"password": "hunter2-secret",}',
    '{"password": hunter2}',
    'hunter2',
    '{"password": "hunter2\u0001"}',
    '{"password": "hunter2',
    '{"password": "hunter2"} trailing',
    '{\n  "password": "hunter2-secret"\n  "user": "u"\n}',
    '{"password": "hunter2", "port": tru}',
  ];
  for (const [index, text] of texts.entries()) {
    const error = await readError(await file(`secret-${index}.json`, text), 'CONFIG');
    assert.equal(error.code, 'CONFIG_INVALID_JSON', text);
    assertAbsent(error, 'hunter2');
  }
});

test('every syntax error reports a line and column (even when V8 gives no position)', async () => {
  // V8 words some errors without "at position N" ("Unexpected token 'h', ... is not valid JSON").
  const cases: Array<[string, RegExp]> = [
    ['{"password": "x",\n "port": tru}', /line 2, column \d+/],
    ['hunter2', /line 1, column 1\b/],
    ['{"a": 1,\n"b": [1, 2,\n', /line \d+, column \d+/],
  ];
  for (const [text, where] of cases) {
    const error = await readError(await file('no-position.json', text), 'STATE');
    assert.equal(error.code, 'STATE_INVALID_JSON');
    assert.match(error.message, where, `${JSON.stringify(text)} → ${error.message}`);
  }
});

test('an empty file says it is empty', async () => {
  for (const [index, text] of ['', '   \n\t\n'].entries()) {
    for (const kind of KINDS) {
      const error = await readError(await file(`empty-${index}-${kind}.json`, text), kind);
      assert.equal(error.code, `${kind}_INVALID_JSON`);
      assert.match(error.message, /empty/);
    }
  }
});
