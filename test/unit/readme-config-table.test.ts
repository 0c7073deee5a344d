import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { settingDocs } from '../../src/config/config-schema.js';
import { repoRoot } from '../harness/run-cli.js';

test('README config table lists exactly the settings of the config schema', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('| setting | type | default | description |');
  assert.ok(start >= 0, 'README has the config table');
  const rows = readme.slice(start).split('\n\n')[0]!.split('\n').slice(2);
  const keys = rows.map((row) => row.split('|')[1]!.trim());
  assert.deepEqual(keys, settingDocs().map((doc) => doc.key), 'regenerate it from `tap-postgres --about --format markdown`');
});
