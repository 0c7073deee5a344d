/**
 * Several `COPY (query) TO STDOUT` statements sent as one simple Query message: the server runs
 * them one after the other and streams their outputs back to back, so a run of thousands of small
 * tables pays one round trip per batch instead of one per table (each round trip cost more than
 * the copy of a 50-row table). The outputs are read in statement order, each as CopyChunks.
 *
 * Like pg-copy-streams, this takes the connection's socket from the pg client while the batch
 * runs and parses the protocol itself: CopyOutResponse starts a copy, CopyData carries its rows,
 * CopyDone ends it; ErrorResponse or ReadyForQuery hands the socket back to the client, which
 * reports the error or ends the query. One Query message is one implicit transaction, so the
 * tables' share locks last until the batch ends: callers batch only small tables.
 */
import type { PgClient } from '../connection/connect.js';
import type { CopyChunks } from './copy-query.js';

/** Chunks waiting unread before the socket is no longer read (backpressure to the server). */
const READ_AHEAD = 4;

const COPY_OUT = 0x48; // 'H' CopyOutResponse
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR = 0x45; // 'E'
const READY = 0x5a; // 'Z'

/** The end of one copy's output in the queue. */
const END = Symbol('end of copy');

interface Socket {
  read(): Buffer | null;
  on(event: 'readable', listener: () => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  addListener(event: 'data', listener: (chunk: Buffer) => void): unknown;
  listeners(event: 'data'): ((chunk: Buffer) => void)[];
  pause(): unknown;
  resume(): unknown;
}

interface Connection {
  stream: Socket;
  query(text: string): void;
}

export class CopyBatch {
  private readonly queue: (Buffer | typeof END)[] = [];
  private parts: Buffer[] = [];
  private readonly header = Buffer.alloc(5);
  private headerBytes = 0;
  /** Bytes of the current message still to come (its header read). */
  private remaining = 0;
  private code = 0;
  private connection: Connection | null = null;
  private pgDataHandler: ((chunk: Buffer) => void) | null = null;
  private reading = false;
  private done = false;
  private failure: { error: unknown } | null = null;
  private discarding = false;
  private wake: (() => void) | null = null;
  private handed = 0;

  private constructor(private readonly text: string, private readonly count: number) {}

  /** Sends the statements now; their outputs are read with next(), in order. */
  static start(client: PgClient, selects: readonly string[]): CopyBatch {
    const batch = new CopyBatch(selects.map((select) => `COPY (${select}) TO STDOUT;`).join('\n'), selects.length);
    void (client.query(batch as never) as unknown as Promise<unknown> | undefined);
    return batch;
  }

  /** The next statement's output (each once, in statement order). */
  next(): CopyChunks {
    if (this.handed >= this.count) throw new Error('every copy of the batch was handed out');
    this.handed++;
    let finished = false;
    const batch = this;
    async function* chunks(): AsyncGenerator<Buffer, void, undefined> {
      try {
        for (;;) {
          const item = batch.queue[0];
          if (item !== undefined) {
            batch.queue.shift();
            batch.forward();
            if (item === END) {
              finished = true;
              return;
            }
            yield item;
            continue;
          }
          if (batch.failure !== null) throw batch.failure.error;
          if (batch.done) throw new Error('the copy batch ended before this copy did');
          await new Promise<void>((resolve) => {
            batch.wake = resolve;
          });
        }
      } finally {
        if (!finished) batch.discard();
      }
    }
    return { [Symbol.asyncIterator]: chunks, destroy: () => this.discard() };
  }

  // The pg client's side: it calls these as for any query object (see pg-copy-streams).

  submit(connection: Connection): void {
    this.connection = connection;
    const stream = connection.stream;
    const handlers = stream.listeners('data');
    this.pgDataHandler = handlers[0] ?? null;
    if (this.pgDataHandler !== null) stream.removeListener('data', this.pgDataHandler);
    stream.pause();
    stream.on('readable', this.onReadable);
    connection.query(this.text);
    this.forward();
  }

  handleError(error: unknown): void {
    this.failure = { error };
    this.notify();
  }

  handleReadyForQuery(): void {
    this.done = true;
    this.notify();
  }

  handleCommandComplete(): void {}

  handleEmptyQuery(): void {}

  private readonly onReadable = (): void => {
    this.forward();
  };

  /** Reads the socket while the queue is short (or everything left is being thrown away). */
  private forward(): void {
    const connection = this.connection;
    if (this.reading || connection === null) return;
    this.reading = true;
    try {
      while ((this.discarding || this.queue.length < READ_AHEAD) && this.connection !== null) {
        const chunk = connection.stream.read();
        if (chunk === null) break;
        this.parse(chunk);
      }
    } finally {
      this.reading = false;
    }
  }

  /**
   * Reads and drops everything still to come (the run stopped or failed inside the batch), so the
   * socket goes back to the client at the batch's end and the connection closes cleanly.
   */
  close(): void {
    this.discard();
  }

  private discard(): void {
    this.discarding = true;
    this.queue.length = 0;
    this.parts = [];
    this.forward();
  }

  private parse(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining === 0 && this.headerBytes < 5) {
        const take = Math.min(5 - this.headerBytes, chunk.length - at);
        chunk.copy(this.header, this.headerBytes, at, at + take);
        this.headerBytes += take;
        at += take;
        if (this.headerBytes < 5) break;
        this.code = this.header[0] as number;
        if (this.code === ERROR || this.code === READY) {
          // The client reads the rest: it reports the error, or ends the query.
          this.handBack(Buffer.concat([this.header, chunk.subarray(at)]));
          return;
        }
        this.remaining = this.header.readUInt32BE(1) - 4;
        if (this.remaining === 0) this.messageEnd();
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - at);
      if (this.code === COPY_DATA && !this.discarding) this.parts.push(chunk.subarray(at, at + take));
      at += take;
      this.remaining -= take;
      if (this.remaining === 0) this.messageEnd();
    }
    this.flushParts();
  }

  private messageEnd(): void {
    this.headerBytes = 0;
    if (this.code === COPY_OUT) return;
    if (this.code === COPY_DONE) {
      this.flushParts();
      if (!this.discarding) this.queue.push(END);
      this.notify();
    }
  }

  /** The CopyData of one socket read goes to the reader as one chunk. */
  private flushParts(): void {
    if (this.parts.length === 0) return;
    this.queue.push(this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts));
    this.parts = [];
    this.notify();
  }

  private handBack(unread: Buffer): void {
    const connection = this.connection as Connection;
    const stream = connection.stream;
    this.connection = null;
    stream.removeListener('readable', this.onReadable);
    const handler = this.pgDataHandler;
    if (handler !== null) {
      stream.addListener('data', handler);
      handler(unread);
    }
    process.nextTick(() => stream.resume());
  }

  private notify(): void {
    const resolve = this.wake;
    this.wake = null;
    resolve?.();
  }
}
