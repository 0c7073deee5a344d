/**
 * A copied stream's closing step — its last messages (ACTIVATE_VERSION, STATE) and log lines —
 * held until the next stream's COPY is sent, so the server runs that query while the tap writes
 * them (on a run of thousands of small tables, that wait is a third of each stream). The output is
 * in the same order as without it: the next stream settles the step before its own first message.
 */
export class DeferredFinish {
  private pending: (() => Promise<void>) | null = null;

  /** Holds `finish` until settle(); one at a time (the previous one must be settled). */
  defer(finish: () => Promise<void>): void {
    if (this.pending !== null) throw new Error('a stream finish is already pending');
    this.pending = finish;
  }

  /** Runs the held step, if any. */
  async settle(): Promise<void> {
    const finish = this.pending;
    this.pending = null;
    if (finish !== null) await finish();
  }
}
