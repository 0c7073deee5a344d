import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadAheadQueue, type ReadAheadOptions } from '../../src/postgres/read-ahead-queue.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function queueWith(overrides: Partial<ReadAheadOptions>): { queue: ReadAheadQueue; handled: string[]; socket: string[] } {
  const handled: string[] = [];
  const socket: string[] = [];
  const queue = new ReadAheadQueue({
    handle: (text) => {
      handled.push(text);
      return undefined;
    },
    pause: () => socket.push('pause'),
    resume: () => socket.push('resume'),
    fail: (error) => {
      throw error;
    },
    highWaterChars: 1_000_000,
    sliceMs: 2,
    ...overrides,
  });
  return { queue, handled, socket };
}

test('read ahead: every message is handled once, in order, after the read that brought it', async () => {
  const { queue, handled } = queueWith({});
  for (let i = 0; i < 10_000; i++) queue.push(`m${i}`);
  assert.equal(handled.length, 0, 'handling waits for the socket callback to return');
  assert.equal(queue.drained, false);
  while (!queue.drained) await turn();
  assert.deepEqual(handled, Array.from({ length: 10_000 }, (_, i) => `m${i}`));
  assert.equal(queue.queuedChars, 0);
});

test('read ahead: the socket pauses at the high-water mark and resumes below half of it', async () => {
  const { queue, socket } = queueWith({ highWaterChars: 100 });
  for (let i = 0; i < 9; i++) queue.push('x'.repeat(10));
  assert.deepEqual(socket, []);
  queue.push('x'.repeat(10));
  assert.deepEqual(socket, ['pause'], 'paused once 100 characters wait');
  queue.push('x'.repeat(10));
  assert.deepEqual(socket, ['pause'], 'paused only once');
  while (!queue.drained) await turn();
  assert.deepEqual(socket, ['pause', 'resume']);
});

test('read ahead: a handler promise holds later messages (not the socket) until it settles', async () => {
  let release = (): void => undefined;
  const handled: string[] = [];
  const { queue, socket } = queueWith({
    handle: (text) => {
      handled.push(text);
      return text === 'slow' ? new Promise<void>((resolve) => { release = resolve; }) : undefined;
    },
  });
  queue.push('a');
  queue.push('slow');
  queue.push('b');
  for (let i = 0; i < 5; i++) await turn();
  assert.deepEqual(handled, ['a', 'slow']);
  assert.equal(queue.drained, false, 'not drained while a handler is pending');
  queue.push('c');
  assert.deepEqual(socket, [], 'more is read meanwhile');
  release();
  while (!queue.drained) await turn();
  assert.deepEqual(handled, ['a', 'slow', 'b', 'c']);
});

test('read ahead: a handler that throws fails the session; close drops what waits', async () => {
  const failures: unknown[] = [];
  const handled: string[] = [];
  const { queue } = queueWith({
    handle: (text) => {
      if (text === 'bad') throw new Error('bad message');
      handled.push(text);
      return undefined;
    },
    fail: (error) => {
      failures.push(error);
      queue.close();
    },
  });
  queue.push('a');
  queue.push('bad');
  queue.push('b');
  for (let i = 0; i < 5; i++) await turn();
  assert.deepEqual(handled, ['a']);
  assert.equal((failures[0] as Error).message, 'bad message');
  queue.push('c');
  for (let i = 0; i < 5; i++) await turn();
  assert.deepEqual(handled, ['a'], 'nothing is handled after close');
});
