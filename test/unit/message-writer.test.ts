import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { MessageWriter } from '../../src/singer/message-writer.js';

/** A sink that keeps every chunk it is given (as bytes) and can refuse more until drained. */
function sink(highWaterMark = 1 << 30): { out: Writable; bytes: () => Promise<Buffer> } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      setImmediate(callback);
    },
  });
  // Everything written so far, once the sink has taken it all in.
  const bytes = (): Promise<Buffer> => new Promise((resolve) => out.end(() => resolve(Buffer.concat(chunks))));
  return { out, bytes };
}

test('lines with multi-byte text arrive in order, byte for byte', async () => {
  const { out, bytes } = sink();
  const writer = new MessageWriter(out);
  const lines = ['{"a":1}\n', '{"s":"☃ é 𝄞"}\n', '{"type":"STATE"}\n', '{"b":2}\n'];
  for (const line of lines) await writer.write(line);
  await writer.flush();
  assert.equal(writer.linesWritten, 4);
  assert.equal((await bytes()).toString('utf8'), lines.join(''));
});

test('lines larger than a chunk (a 1 MB value) and many small ones interleave in order', async () => {
  const { out, bytes } = sink();
  const writer = new MessageWriter(out);
  const big = `{"v":"${'x☃'.repeat(500_000)}"}\n`;
  const expected: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const line = i % 1000 === 500 ? big : `{"i":${i},"s":"${'é'.repeat(i % 50)}"}\n`;
    expected.push(line);
    await writer.write(line);
  }
  await writer.write('{"type":"STATE"}\n');
  await writer.flush();
  assert.equal((await bytes()).toString('utf8'), expected.join('') + '{"type":"STATE"}\n');
});

test('backpressure: once the output is full, write returns a promise that waits for drain', async () => {
  const held: (() => void)[] = [];
  const out = new Writable({ highWaterMark: 16 * 1024, write(_chunk, _encoding, callback) { held.push(callback); } });
  const writer = new MessageWriter(out);
  const line = `{"pad":"${'p'.repeat(1000)}"}\n`;
  let waiting: Promise<void> | null = null;
  for (let i = 0; i < 200 && waiting === null; i++) {
    const written = writer.write(line);
    let settled = false;
    void written.then(() => { settled = true; });
    await new Promise((resolve) => setImmediate(resolve));
    if (!settled) waiting = written;
  }
  assert.ok(waiting !== null, 'a full output makes write wait');
  let drained = false;
  void waiting.then(() => { drained = true; });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(drained, false, 'still waiting while the output holds its chunks');
  while (held.length > 0) held.shift()!();
  await waiting;
});

/** Counts what the writer attributes to it. */
function counter(): { addBytes(n: number): void; bytes: number } {
  return { bytes: 0, addBytes(n: number) { this.bytes += n; } };
}

test('pushed lines arrive in order, and each counter is told the exact UTF-8 size of its own lines', async () => {
  const { out, bytes } = sink();
  const writer = new MessageWriter(out);
  const lines = ['{"a":1}\n', '{"s":"☃ é 𝄞"}\n', '{"b":2}\n'];
  const [a, b] = [counter(), counter()];
  writer.push(lines[0]!, a);
  writer.push(lines[1]!, b);
  await writer.write('{"type":"STATE"}\n');
  writer.push(lines[2]!, a);
  await writer.flush();
  assert.equal(a.bytes, Buffer.byteLength(lines[0]! + lines[2]!));
  assert.equal(b.bytes, Buffer.byteLength(lines[1]!));
  lines.splice(2, 0, '{"type":"STATE"}\n');
  assert.equal((await bytes()).toString('utf8'), lines.join(''));
  assert.equal(writer.linesWritten, 4);
});

test('pushed lines larger than a chunk interleave in order, each counter exact', async () => {
  const { out, bytes } = sink();
  const writer = new MessageWriter(out);
  const big = `{"v":"${'x☃'.repeat(500_000)}"}\n`;
  const expected: string[] = [];
  const [even, odd] = [counter(), counter()];
  for (let i = 0; i < 3000; i++) {
    const line = i % 1000 === 500 ? big : `{"i":${i},"s":"${'é'.repeat(i % 50)}"}\n`;
    expected.push(line);
    writer.push(line, Math.floor(i / 7) % 2 === 0 ? even : odd);
  }
  await writer.write('{"type":"STATE"}\n');
  await writer.flush();
  assert.equal((await bytes()).toString('utf8'), expected.join('') + '{"type":"STATE"}\n');
  const sum = (pick: (i: number) => boolean): number => expected.filter((_line, i) => pick(i)).reduce((n, line) => n + Buffer.byteLength(line), 0);
  assert.equal(even.bytes, sum((i) => Math.floor(i / 7) % 2 === 0));
  assert.equal(odd.bytes, sum((i) => Math.floor(i / 7) % 2 === 1));
});

test('push backpressure: a promise while the output is full, undefined again after drain', async () => {
  const { out } = sink(16 * 1024);
  const writer = new MessageWriter(out);
  assert.equal(writer.backpressure, undefined);
  const line = `{"pad":"${'p'.repeat(1000)}"}\n`;
  let pushed = 0;
  while (writer.backpressure === undefined) {
    writer.push(line, counter());
    pushed++;
    assert.ok(pushed < 1000, 'a full sink shows backpressure');
  }
  await writer.backpressure;
  assert.equal(writer.backpressure, undefined);
  await writer.flush();
});

test('a closed reader turns writes into OUTPUT_CLOSED errors', async () => {
  const out = new PassThrough();
  const writer = new MessageWriter(out);
  out.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  await new Promise((resolve) => setImmediate(resolve));
  await assert.rejects(writer.write('{"a":1}\n').then(() => writer.flush()), (error: Error & { code?: string }) => error.code === 'OUTPUT_CLOSED');
});
