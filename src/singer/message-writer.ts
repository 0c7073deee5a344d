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

const FLUSH_BYTES = 64 * 1024;
const SETTLED: Promise<void> = Promise.resolve();

export class MessageWriter {
  private pending = '';
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
   * per-record path gets one shared settled promise unless a flush is due.
   */
  write(text: string, lines = 1): Promise<void> {
    this.pending += text;
    this.lineCount += lines;
    return this.pending.length >= FLUSH_BYTES ? this.flush() : SETTLED;
  }

  async flush(): Promise<void> {
    this.throwIfClosed();
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    if (!this.out.write(chunk)) await this.drained();
    this.throwIfClosed();
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
