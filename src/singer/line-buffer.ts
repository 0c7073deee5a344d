/**
 * The chunk of output bytes being filled: complete lines in [0, lineStart), the line being written
 * in [lineStart, pos). Writers put bytes at `pos` themselves after asking for room, which is how a
 * RECORD is built from the bytes of a wal2json document without a string in between.
 */
const CHUNK_BYTES = 64 * 1024;

/** Bytes written at `pos` into `buf`: what a byte form needs of the output (LineBuffer is one). */
export interface ByteSink {
  buf: Buffer;
  pos: number;
}

export class LineBuffer implements ByteSink {
  buf: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  pos = 0;
  private lineStart = 0;

  /** `send` takes complete lines; the buffer it gets is never written to again. */
  constructor(private readonly send: (chunk: Buffer) => void) {}

  /** Whether a chunk's worth of complete lines is waiting. */
  get full(): boolean {
    return this.lineStart >= CHUNK_BYTES;
  }

  /**
   * Makes room for `bytes` more bytes of the current line. When the chunk is too small, its complete
   * lines are sent and the line begun so far moves to a new chunk (large enough for any line).
   */
  room(bytes: number): void {
    if (this.buf.length - this.pos >= bytes) return;
    const complete = this.nextChunk(bytes);
    if (complete.length > 0) this.send(complete);
  }

  /** Appends text as UTF-8 to the current line. */
  text(text: string): void {
    this.room(text.length * 3);
    this.pos += this.buf.write(text, this.pos);
  }

  /** Ends the current line (its bytes, newline included, are already written); returns its length in bytes. */
  endLine(): number {
    const bytes = this.pos - this.lineStart;
    this.lineStart = this.pos;
    return bytes;
  }

  /** Drops a line begun but not ended (a writer that found it cannot finish it). */
  abandonLine(): void {
    this.pos = this.lineStart;
  }

  /** Sends the complete lines, if any. */
  flush(): void {
    if (this.lineStart > 0) this.send(this.nextChunk(0));
  }

  /**
   * Starts a new chunk with room for `bytes` more after the line begun so far, which moves into
   * it; returns the complete lines of the old one.
   */
  private nextChunk(bytes: number): Buffer {
    const complete = this.buf.subarray(0, this.lineStart);
    const begun = this.pos - this.lineStart;
    const next = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, begun + bytes));
    this.buf.copy(next, 0, this.lineStart, this.pos);
    this.buf = next;
    this.pos = begun;
    this.lineStart = 0;
    return complete;
  }
}
