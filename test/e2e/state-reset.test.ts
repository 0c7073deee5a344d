import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runTap } from '../harness/run-cli.js';

const STATE = {
  currently_syncing: 'db-public-orders',
  bookmarks: {
    'db-public-orders': { last_replication_method: 'FULL_TABLE', version: 1, last_pk_fetched: { id: 5 } },
    'db-public-order_items': { last_replication_method: 'INCREMENTAL', replication_key: 'id', replication_key_value: 9 },
    'db-public-customers': { last_replication_method: 'INCREMENTAL', replication_key: 'id', replication_key_value: 3 },
  },
};

function stateFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tap-state-reset-'));
  const path = join(dir, 'state.json');
  writeFileSync(path, JSON.stringify(STATE));
  return path;
}

test('state reset removes one stream\'s bookmark and says so', async () => {
  const path = stateFile();
  const result = await runTap(['state', 'reset', '--state', path, '--stream', 'db-public-orders']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /removed the bookmark of db-public-orders/);
  const after = JSON.parse(readFileSync(path, 'utf8')) as typeof STATE;
  assert.deepEqual(Object.keys(after.bookmarks).sort(), ['db-public-customers', 'db-public-order_items']);
  assert.equal(after.currently_syncing, null, 'the reset stream is no longer the one to resume');
  assert.deepEqual(readdirSync(join(path, '..')), ['state.json'], 'no temporary file left behind');
});

test('state reset takes globs and several streams', async () => {
  const path = stateFile();
  const result = await runTap(['state', 'reset', '--state', path, '--stream', 'db-public-order*', 'db-public-customers']);
  assert.equal(result.code, 0, result.stderr);
  const after = JSON.parse(readFileSync(path, 'utf8')) as typeof STATE;
  assert.deepEqual(after.bookmarks, {});
});

test('state reset with no match leaves the file byte-identical', async () => {
  const path = stateFile();
  const before = readFileSync(path);
  const result = await runTap(['state', 'reset', '--state', path, '--stream', 'nothing-*']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /no bookmark .* matches nothing-\*/);
  assert.deepEqual(readFileSync(path), before);
});

test('state reset on a malformed state file fails clearly and changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tap-state-reset-'));
  const path = join(dir, 'state.json');
  writeFileSync(path, '{"bookmarks": ');
  const result = await runTap(['state', 'reset', '--state', path, '--stream', 'x']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /"code":"STATE_INVALID_JSON"/);
  assert.equal(readFileSync(path, 'utf8'), '{"bookmarks": ');
});

test('state reset without --stream is a usage error', async () => {
  const result = await runTap(['state', 'reset', '--state', stateFile()]);
  assert.equal(result.code, 2);
});
