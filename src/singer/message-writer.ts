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

/** Pending text goes to stdout once it holds this many characters. */
const FLUSH_CHARS = 64 * 1024;
const SETTLED: Promise<void> = Promise.resolve();

/** Told how many bytes of output its lines took, once they are encoded. */
export interface ByteCounter {
  addBytes(bytes: number): void;
}

export class MessageWriter {
  /** Lines since the last write, joined once per chunk (cheaper than growing one string or encoding per line). */
  private pending: string[] = [];
  private pendingChars = 0;
  /**
   * Runs of pushed lines by the counter they belong to, as [counter, start, end) character
   * offsets into the pending text: bytes are counted per chunk, not per line.
   */
  private owners: { counter: ByteCounter; start: number; end: number }[] = [];
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
   * The per-change path of log-based sync: appends one line whose size in bytes `counter` is told
   * when its chunk is written. The caller looks at `backpressure` before reading more.
   */
  push(line: string, counter: ByteCounter): void {
    const last = this.owners[this.owners.length - 1];
    if (last !== undefined && last.counter === counter && last.end === this.pendingChars) last.end += line.length;
    else this.owners.push({ counter, start: this.pendingChars, end: this.pendingChars + line.length });
    this.append(line, 1);
  }

  /** A promise while stdout is full (wait for it before writing more), else undefined. */
  get backpressure(): Promise<void> | undefined {
    return this.blocked;
  }

  async flush(): Promise<void> {
    this.throwIfClosed();
    this.send();
    if (this.blocked !== undefined) await this.blocked;
    this.throwIfClosed();
  }

  private append(text: string, lines: number): void {
    this.lineCount += lines;
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= FLUSH_CHARS) this.send();
  }

  private send(): void {
    if (this.pending.length === 0) return;
    this.throwIfClosed();
    const text = this.pending.length === 1 ? (this.pending[0] as string) : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    // Encoded here once: its length is the byte count the streams' logs need, without a second pass.
    const chunk = Buffer.from(text, 'utf8');
    if (this.owners.length > 0) this.countBytes(text, chunk.length);
    if (!this.out.write(chunk) && this.blocked === undefined) {
      this.blocked = this.drained().then(() => {
        this.blocked = undefined;
      });
    }
  }

  private countBytes(text: string, bytes: number): void {
    const owners = this.owners;
    this.owners = [];
    if (owners.length === 1 && owners[0]!.start === 0 && owners[0]!.end === text.length) {
      owners[0]!.counter.addBytes(bytes);
      return;
    }
    for (const { counter, start, end } of owners) counter.addBytes(Buffer.byteLength(text.slice(start, end)));
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
