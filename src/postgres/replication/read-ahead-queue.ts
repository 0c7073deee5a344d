/**
 * The messages of a replication session between the socket and their handler. A message is
 * handled as soon as it is read, on the bytes the connection parsed it from, unless an earlier
 * one is still being handled (its handler returned a promise: stdout full, a row read by key);
 * then it is copied into a queue bounded in bytes, beyond which the socket is paused, so memory
 * stays bounded whatever the size of a transaction. The queue is handled in time slices so the
 * socket is read between them. Order is kept.
 */
export interface ReadAheadOptions {
  /**
   * Handles the message in data[start..]; the bytes are only valid during the call. A returned
   * promise holds later messages (not the socket) until it settles.
   */
  handle(data: Buffer, start: number): Promise<void> | undefined;
  pause(): void;
  resume(): void;
  fail(error: unknown): void;
  /** Bytes queued before the socket is paused; it resumes below half of this. */
  highWaterBytes: number;
  /** How long one slice of handling the queue may run before the socket gets its turn. */
  sliceMs: number;
}

export class ReadAheadQueue {
  private items: (Buffer | undefined)[] = [];
  private head = 0;
  private bytes = 0;
  private scheduled = false;
  private waiting = false;
  private paused = false;
  private closed = false;

  constructor(private readonly options: ReadAheadOptions) {}

  /** Whether every message pushed so far has been handled. */
  get drained(): boolean {
    return !this.waiting && this.head >= this.items.length;
  }

  push(data: Buffer, start: number): void {
    if (this.closed) return;
    if (this.drained && !this.scheduled) {
      this.handle(data, start);
      return;
    }
    const copy = Buffer.allocUnsafe(data.length - start);
    data.copy(copy, 0, start);
    this.items.push(copy);
    this.bytes += copy.length;
    if (!this.paused && this.bytes >= this.options.highWaterBytes) {
      this.paused = true;
      this.options.pause();
    }
    this.schedule();
  }

  /** Drops what is queued; later pushes are ignored. */
  close(): void {
    this.closed = true;
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }

  /** Handles one message; false when it holds the queue (or failed). */
  private handle(data: Buffer, start: number): boolean {
    let pending: Promise<void> | undefined;
    try {
      pending = this.options.handle(data, start);
    } catch (error) {
      this.options.fail(error);
      return false;
    }
    if (pending === undefined) return true;
    this.waiting = true;
    pending.then(() => {
      this.waiting = false;
      this.schedule();
    }, (error: unknown) => this.options.fail(error));
    return false;
  }

  private schedule(): void {
    if (this.scheduled || this.waiting || this.closed || this.head >= this.items.length) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const until = performance.now() + this.options.sliceMs;
    let handled = 0;
    while (this.head < this.items.length && !this.closed) {
      const data = this.items[this.head] as Buffer;
      this.items[this.head++] = undefined;
      this.bytes -= data.length;
      if (!this.handle(data, 0)) break;
      // A clock read per message would cost more than the messages: look every 32.
      if ((++handled & 31) === 0 && performance.now() >= until) break;
    }
    this.compact();
    if (this.paused && this.bytes <= this.options.highWaterBytes / 2 && !this.closed) {
      this.paused = false;
      this.options.resume();
    }
    this.schedule();
  };

  private compact(): void {
    if (this.head >= this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
