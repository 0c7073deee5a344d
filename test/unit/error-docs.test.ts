import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../harness/run-cli.js';

test('every error code in src/errors.ts has a row in docs/errors.md', () => {
  const source = readFileSync(join(repoRoot, 'src', 'errors.ts'), 'utf8');
  const union = source.slice(source.indexOf('export type ErrorCode'), source.indexOf(';', source.indexOf('export type ErrorCode')));
  const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((match) => match[1]!);
  assert.ok(codes.length > 10);
  const docs = readFileSync(join(repoRoot, 'docs', 'errors.md'), 'utf8');
  for (const code of codes) assert.match(docs, new RegExp(`^\\| \`${code}\` \\|`, 'm'), `docs/errors.md has no row for ${code}`);
});
