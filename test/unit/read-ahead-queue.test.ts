import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadAheadQueue, type ReadAheadOptions } from '../../src/postgres/replication/read-ahead-queue.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** A message as the connection hands it over: a header, then the text, in a buffer it reuses. */
const HEADER = 3;
const connectionBuffer = Buffer.alloc(64);
function message(text: string): Buffer {
  connectionBuffer.fill(0);
  connectionBuffer.write(text, HEADER);
  return connectionBuffer.subarray(0, HEADER + Buffer.byteLength(text));
}
const send = (queue: ReadAheadQueue, text: string): void => queue.push(message(text), HEADER);

function queueWith(overrides: Partial<ReadAheadOptions>): { queue: ReadAheadQueue; handled: string[]; socket: string[] } {
  const handled: string[] = [];
  const socket: string[] = [];
  const queue = new ReadAheadQueue({
    handle: (data, start) => {
      handled.push(data.toString('utf8', start));
      return undefined;
    },
    pause: () => socket.push('pause'),
    resume: () => socket.push('resume'),
    fail: (error) => {
      throw error;
    },
    highWaterBytes: 1_000_000,
    sliceMs: 2,
    ...overrides,
  });
  return { queue, handled, socket };
}

test('a message is handled at once, on the bytes it came in, while nothing waits', () => {
  const { queue, handled } = queueWith({});
  for (let i = 0; i < 1_000; i++) send(queue, `m${i}`);
  assert.deepEqual(handled, Array.from({ length: 1_000 }, (_, i) => `m${i}`));
  assert.equal(queue.drained, true);
});

test('a handler promise holds later messages, copied (the connection reuses its buffer), in order', async () => {
  let release = (): void => undefined;
  const handled: string[] = [];
  const { queue, socket } = queueWith({
    handle: (data, start) => {
      const text = data.toString('utf8', start);
      handled.push(text);
      return text === 'slow' ? new Promise<void>((resolve) => { release = resolve; }) : undefined;
    },
  });
  send(queue, 'a');
  send(queue, 'slow');
  send(queue, 'b');
  for (let i = 0; i < 5; i++) await turn();
  assert.deepEqual(handled, ['a', 'slow']);
  assert.equal(queue.drained, false, 'not drained while a handler is pending');
  send(queue, 'c');
  assert.deepEqual(socket, [], 'more is read meanwhile');
  release();
  while (!queue.drained) await turn();
  assert.deepEqual(handled, ['a', 'slow', 'b', 'c']);
  send(queue, 'd');
  assert.deepEqual(handled, ['a', 'slow', 'b', 'c', 'd'], 'handled at once again once drained');
});

test('while a handler waits, the socket pauses at the high-water mark and resumes below half of it', async () => {
  let release = (): void => undefined;
  const { queue, socket } = queueWith({
    highWaterBytes: 100,
    handle: (data, start) => (data.toString('utf8', start) === 'slow' ? new Promise<void>((resolve) => { release = resolve; }) : undefined),
  });
  send(queue, 'slow');
  for (let i = 0; i < 9; i++) send(queue, 'x'.repeat(10));
  assert.deepEqual(socket, []);
  send(queue, 'x'.repeat(10));
  assert.deepEqual(socket, ['pause'], 'paused once 100 bytes wait');
  send(queue, 'x'.repeat(10));
  assert.deepEqual(socket, ['pause'], 'paused only once');
  release();
  while (!queue.drained) await turn();
  assert.deepEqual(socket, ['pause', 'resume']);
});

test('a handler that throws fails the session; close drops what waits', async () => {
  const failures: unknown[] = [];
  const handled: string[] = [];
  let release = (): void => undefined;
  const { queue } = queueWith({
    handle: (data, start) => {
      const text = data.toString('utf8', start);
      if (text === 'bad') throw new Error('bad message');
      handled.push(text);
      return text === 'slow' ? new Promise<void>((resolve) => { release = resolve; }) : undefined;
    },
    fail: (error) => {
      failures.push(error);
      queue.close();
    },
  });
  send(queue, 'slow');
  send(queue, 'bad');
  send(queue, 'b');
  release();
  for (let i = 0; i < 5; i++) await turn();
  assert.deepEqual(handled, ['slow']);
  assert.equal((failures[0] as Error).message, 'bad message');
  send(queue, 'c');
  for (let i = 0; i < 5; i++) await turn();
  assert.deepEqual(handled, ['slow'], 'nothing is handled after close');
});
