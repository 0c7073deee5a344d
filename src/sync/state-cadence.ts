/**
 * When a STATE is due, for every method: after `state_interval_rows` records written since the
 * last one (counted per record), or, where a method asks for it, after some seconds with records
 * written. The caller decides where a STATE can go (a row boundary for a copy, a commit for
 * LOG_BASED) and says when it wrote one.
 */
export class StateCadence {
  private since = 0;
  private lastAt = Date.now();

  constructor(private readonly everyRows: number, private readonly everyMs: number | null = null) {}

  /** Counts records written since the last STATE. */
  add(records: number): void {
    this.since += records;
  }

  /** Records that may still be written before a STATE is due (at least 1). */
  get room(): number {
    return Math.max(1, this.everyRows - this.since);
  }

  get due(): boolean {
    if (this.since >= this.everyRows) return true;
    return this.everyMs !== null && this.since > 0 && Date.now() - this.lastAt >= this.everyMs;
  }

  emitted(): void {
    this.since = 0;
    this.lastAt = Date.now();
  }
}
