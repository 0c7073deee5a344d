import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { SocketGate } from '../../src/postgres/replication/socket-gate.js';

/** A socket that records whether it is paused. */
class FakeSocket extends EventEmitter {
  paused = false;
  history: string[] = [];
  constructor(readonly remoteAddress?: string, readonly encrypted = false) {
    super();
  }
  pause(): void {
    if (!this.paused) this.history.push('pause');
    this.paused = true;
  }
  resume(): void {
    if (this.paused) this.history.push('resume');
    this.paused = false;
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('over TCP, a turn that brought less than a batch makes reading wait a moment; a full batch does not', async () => {
  const socket = new FakeSocket('127.0.0.1');
  const gate = new SocketGate();
  gate.attach(socket);
  socket.emit('data', Buffer.alloc(100));
  await turn();
  assert.equal(socket.paused, true, 'waits after a small read');
  await sleep(20);
  assert.equal(socket.paused, false, 'reads again after the wait');
  for (let i = 0; i < 4; i++) socket.emit('data', Buffer.alloc(16 * 1024));
  await turn();
  assert.equal(socket.paused, false, 'a full batch goes straight on');
  gate.close();
});

test('over a Unix socket or TLS reading never waits', async () => {
  for (const socket of [new FakeSocket(), new FakeSocket('127.0.0.1', true)]) {
    const gate = new SocketGate();
    gate.attach(socket);
    socket.emit('data', Buffer.alloc(100));
    await turn();
    await turn();
    assert.deepEqual(socket.history, []);
    gate.close();
  }
});

test('a full queue holds the socket through the wait; close lets it be read to its end', async () => {
  const socket = new FakeSocket('127.0.0.1');
  const gate = new SocketGate();
  gate.attach(socket);
  socket.emit('data', Buffer.alloc(100));
  await turn();
  gate.setQueueFull(true);
  await sleep(20);
  assert.equal(socket.paused, true, 'still held by the queue after the wait');
  gate.setQueueFull(false);
  assert.equal(socket.paused, false);
  gate.setQueueFull(true);
  gate.close();
  assert.equal(socket.paused, false, 'a stopping session is read to its end');
});
