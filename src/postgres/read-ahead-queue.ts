/**
 * The messages of a replication session between the socket and their handler: read ahead up to a
 * fixed number of characters, then the socket is paused, so memory stays bounded whatever the
 * size of a transaction. Handling runs in time slices so the socket is read between them and a
 * short burst does not leave the walsender blocked on a full socket. Order is kept.
 */
export interface ReadAheadOptions {
  /** Handles one message; a returned promise holds the queue (not the socket) until it settles. */
  handle(text: string): Promise<void> | undefined;
  pause(): void;
  resume(): void;
  fail(error: unknown): void;
  /** Characters queued before the socket is paused; it resumes below half of this. */
  highWaterChars: number;
  /** How long one slice of handling may run before the socket gets its turn. */
  sliceMs: number;
}

export class ReadAheadQueue {
  private items: (string | undefined)[] = [];
  private head = 0;
  private chars = 0;
  private scheduled = false;
  private waiting = false;
  private paused = false;
  private closed = false;

  constructor(private readonly options: ReadAheadOptions) {}

  /** Whether every message pushed so far has been handled. */
  get drained(): boolean {
    return !this.waiting && this.head >= this.items.length;
  }

  /** Characters waiting to be handled. */
  get queuedChars(): number {
    return this.chars;
  }

  push(text: string): void {
    if (this.closed) return;
    this.items.push(text);
    this.chars += text.length;
    if (!this.paused && this.chars >= this.options.highWaterChars) {
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
    this.chars = 0;
  }

  private schedule(): void {
    if (this.scheduled || this.waiting || this.closed) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const until = performance.now() + this.options.sliceMs;
    let handled = 0;
    while (this.head < this.items.length && !this.closed) {
      const text = this.items[this.head] as string;
      this.items[this.head++] = undefined;
      this.chars -= text.length;
      let pending: Promise<void> | undefined;
      try {
        pending = this.options.handle(text);
      } catch (error) {
        this.options.fail(error);
        return;
      }
      if (pending !== undefined) {
        this.waiting = true;
        pending.then(() => {
          this.waiting = false;
          this.schedule();
        }, (error: unknown) => this.options.fail(error));
        break;
      }
      // A clock read per message would cost more than the messages: look every 32.
      if ((++handled & 31) === 0 && performance.now() >= until) break;
    }
    this.compact();
    if (this.paused && this.chars <= this.options.highWaterChars / 2 && !this.closed) {
      this.paused = false;
      this.options.resume();
    }
    if (!this.waiting && this.head < this.items.length) this.schedule();
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
