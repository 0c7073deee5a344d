/**
 * The output of `COPY (query) TO STDOUT` as an async iterator of network chunks (text format:
 * PostgreSQL formats every value as its own text, which is what the value converters expect, and
 * COPY has no per-row protocol overhead). At most a few chunks wait unread: past that the stream
 * is paused, which pauses the socket and so the server (backpressure). Leaving the loop early
 * destroys the stream (the caller closes the connection afterwards).
 *
 * The query is sent at once, not when the loop starts: the caller can write what goes before the
 * rows while the server plans and runs it (on a run of small tables, that wait is most of a copy).
 * Listening to 'data' and 'end' rather than using the stream's own async iterator: the iterator's
 * extra turns of the event loop cost about 0.3 ms per COPY, which is most of a small table's copy
 * when a run has thousands of them.
 */
import type { Readable } from 'node:stream';
import { to as copyTo } from 'pg-copy-streams';
import type { PgClient } from '../connection/connect.js';

/** Chunks read ahead before the stream is paused (each is one socket read, up to 64 KB). */
const READ_AHEAD = 4;

export interface CopyChunks extends AsyncIterable<Buffer> {
  /** Stops a copy whose loop will never run (a loop left early stops it itself). */
  destroy(): void;
}

export function copyChunks(client: PgClient, selectSql: string): CopyChunks {
  const stream = client.query(copyTo(`COPY (${selectSql}) TO STDOUT`)) as unknown as Readable;
  const queue: Buffer[] = [];
  let ended = false;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  stream.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    if (queue.length >= READ_AHEAD) stream.pause();
    notify();
  });
  stream.once('end', () => {
    ended = true;
    notify();
  });
  stream.once('error', (error: unknown) => {
    failure = { error };
    notify();
  });
  const destroy = (): void => {
    if (!ended) stream.destroy();
  };

  async function* chunks(): AsyncGenerator<Buffer, void, undefined> {
    try {
      for (;;) {
        const chunk = queue.shift();
        if (chunk !== undefined) {
          if (stream.isPaused() && queue.length < READ_AHEAD / 2) stream.resume();
          yield chunk;
          continue;
        }
        if (failure !== null) throw (failure as { error: unknown }).error;
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      destroy();
    }
  }
  return { [Symbol.asyncIterator]: chunks, destroy };
}
