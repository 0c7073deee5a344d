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

test('push returns the exact UTF-8 size of each line, and the bytes arrive in order', async () => {
  const { out, bytes } = sink();
  const writer = new MessageWriter(out);
  const lines = ['{"a":1}\n', '{"s":"☃ é 𝄞"}\n', '{"b":2}\n'];
  const sizes = lines.map((line) => writer.push(line));
  assert.deepEqual(sizes, lines.map((line) => Buffer.byteLength(line)));
  await writer.flush();
  assert.equal((await bytes()).toString('utf8'), lines.join(''));
  assert.equal(writer.linesWritten, 3);
});

test('lines larger than a chunk (a 1 MB value) and many small ones interleave in order', async () => {
  const { out, bytes } = sink();
  const writer = new MessageWriter(out);
  const big = `{"v":"${'x☃'.repeat(500_000)}"}\n`;
  const expected: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const line = i % 1000 === 500 ? big : `{"i":${i},"s":"${'é'.repeat(i % 50)}"}\n`;
    expected.push(line);
    assert.equal(writer.push(line), Buffer.byteLength(line));
  }
  await writer.write('{"type":"STATE"}\n');
  await writer.flush();
  assert.equal((await bytes()).toString('utf8'), expected.join('') + '{"type":"STATE"}\n');
});

test('backpressure: a promise while the output is full, undefined again after drain', async () => {
  const { out } = sink(16 * 1024);
  const writer = new MessageWriter(out);
  assert.equal(writer.backpressure, undefined);
  const line = `{"pad":"${'p'.repeat(1000)}"}\n`;
  let pushed = 0;
  while (writer.backpressure === undefined) {
    writer.push(line);
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
