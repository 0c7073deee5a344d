import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TapError } from '../../src/errors.js';
import { lockStateFile, type StateLock } from '../../src/run/state-lock.js';

/** 20 runs reach for one lock at once; exactly one may hold it. */
async function race(state: string): Promise<void> {
  const results = await Promise.allSettled(Array.from({ length: 20 }, () => lockStateFile(state)));
  const taken = results.filter((r): r is PromiseFulfilledResult<StateLock> => r.status === 'fulfilled');
  assert.equal(taken.length, 1, 'exactly one holder (a lock seen before its content is written must not look stale)');
  for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as TapError).code, 'RUN_LOCKED');
  assert.equal((JSON.parse(readFileSync(`${state}.lock`, 'utf8')) as { pid: number }).pid, process.pid);
  await taken[0]!.value.release();
}

test('lock race: of runs that start together, one takes the lock and the others get RUN_LOCKED', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'state-lock-'));
  try {
    for (let round = 0; round < 50; round++) await race(join(dir, `state-${round}.json`));
    assert.deepEqual(readdirSync(dir), [], 'no lock and no draft left behind');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
