import { TapError } from '../errors.js';

/**
 * The only code that touches stdout. Lines are batched into large writes; when the pipe is full
 * the returned promise waits for 'drain', so a slow target slows the reads instead of growing
 * memory. Order is preserved, so a STATE written after its RECORDs is never seen before them.
 */
export interface MessageCounts {
  records: Map<string, number>;
  lines: number;
}

/** A chunk goes to stdout once it holds this much. */
const FLUSH_BYTES = 64 * 1024;
/** Room for a chunk plus one line of up to (CHUNK_BYTES - FLUSH_BYTES) / 3 characters. */
const CHUNK_BYTES = 128 * 1024;
const SETTLED: Promise<void> = Promise.resolve();

export class MessageWriter {
  /** Lines are encoded into this chunk as they come, which also gives their exact size in bytes. */
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  /** Set while stdout's buffer is full; resolves on 'drain'. */
  private blocked: Promise<void> | undefined;
  private failure: Error | null = null;
  private lineCount = 0;

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {
    out.on('error', (error: NodeJS.ErrnoException) => {
      this.failure = error;
    });
  }

  get linesWritten(): number {
    return this.lineCount;
  }

  /**
   * `text` is one or more complete lines, each ending in a newline. Not an async function: the
   * per-record path gets one shared settled promise unless stdout is full.
   */
  write(text: string, lines = 1): Promise<void> {
    try {
      this.append(text, lines);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.blocked ?? SETTLED;
  }

  /**
   * The per-change path of log-based sync: appends one line and returns its size in bytes. The
   * caller looks at `backpressure` before reading more.
   */
  push(line: string): number {
    return this.append(line, 1);
  }

  /** A promise while stdout is full (wait for it before writing more), else undefined. */
  get backpressure(): Promise<void> | undefined {
    return this.blocked;
  }

  async flush(): Promise<void> {
    this.throwIfClosed();
    this.sendChunk();
    if (this.blocked !== undefined) await this.blocked;
    this.throwIfClosed();
  }

  private append(text: string, lines: number): number {
    this.lineCount += lines;
    // A UTF-16 code unit never takes more than three bytes of UTF-8.
    const worst = text.length * 3;
    let bytes: number;
    if (this.used + worst <= this.chunk.length) {
      bytes = this.chunk.write(text, this.used);
      this.used += bytes;
    } else {
      this.sendChunk();
      if (worst <= this.chunk.length) {
        bytes = this.chunk.write(text, 0);
        this.used = bytes;
      } else {
        bytes = Buffer.byteLength(text);
        this.send(text);
      }
    }
    if (this.used >= FLUSH_BYTES) this.sendChunk();
    return bytes;
  }

  private sendChunk(): void {
    if (this.used === 0) return;
    const data = this.chunk.subarray(0, this.used);
    // A written chunk belongs to the stream until it is flushed: the next lines go to a new one.
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    this.send(data);
  }

  private send(data: Buffer | string): void {
    this.throwIfClosed();
    if (!this.out.write(data) && this.blocked === undefined) {
      this.blocked = this.drained().then(() => {
        this.blocked = undefined;
      });
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.out.off('drain', done);
        this.out.off('error', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('error', done);
      this.out.on('close', done);
    });
  }

  private throwIfClosed(): void {
    if (this.failure === null) return;
    throw new TapError('OUTPUT_CLOSED', `stdout was closed by the reader (${(this.failure as NodeJS.ErrnoException).code ?? this.failure.message})`, {
      hint: 'The Singer target reading our output exited; check its own error output.',
      retryable: true,
    });
  }
}
