/**
 * The only code that touches stdout. Lines are batched into large writes; when the pipe is full
 * the returned promise waits for 'drain', so a slow target slows the reads instead of growing
 * memory. Order is preserved, so a STATE written after its RECORDs is never seen before them.
 */
import { TapError } from '../errors.js';
import { LineBuffer } from './line-buffer.js';

const SETTLED: Promise<void> = Promise.resolve();

/** Told how many bytes of output its lines took, once they are encoded. */
export interface ByteCounter {
  addBytes(bytes: number): void;
}

export class MessageWriter {
  /** Lines are encoded into 64 KB chunks as they come; a full chunk is one write to stdout. */
  private readonly lines = new LineBuffer((chunk) => this.send(chunk));
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
      this.lines.text(text);
      this.ended(lines);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.blocked ?? SETTLED;
  }

  /**
   * The per-change path of log-based sync: appends one line and tells `counter` its size in bytes.
   * The caller looks at `backpressure` before reading more.
   */
  push(line: string, counter: ByteCounter): void {
    this.lines.text(line);
    counter.addBytes(this.ended(1));
  }

  /**
   * A line written as bytes: the caller asks the returned buffer for room and writes at its `pos`,
   * then calls endLine, or the buffer's abandonLine to drop it.
   */
  beginLine(): LineBuffer {
    return this.lines;
  }

  endLine(counter: ByteCounter): void {
    counter.addBytes(this.ended(1));
  }

  /** A promise while stdout is full (wait for it before writing more), else undefined. */
  get backpressure(): Promise<void> | undefined {
    return this.blocked;
  }

  async flush(): Promise<void> {
    this.throwIfClosed();
    this.lines.flush();
    if (this.blocked !== undefined) await this.blocked;
    this.throwIfClosed();
  }

  /** Ends the current line of the buffer; returns its bytes. */
  private ended(lines: number): number {
    this.lineCount += lines;
    const bytes = this.lines.endLine();
    if (this.lines.full) this.lines.flush();
    return bytes;
  }

  private send(chunk: Buffer): void {
    this.throwIfClosed();
    if (!this.out.write(chunk) && this.blocked === undefined) {
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
