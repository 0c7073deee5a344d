/**
 * A live progress line on an interactive stderr: rows so far against the estimate, rate and ETA
 * (changes and lag for log-based reads). Redrawn at most once a second; nothing when stderr is
 * not a terminal, so logs piped to files stay clean.
 */
export class ProgressLine {
  private readonly enabled = process.stderr.isTTY === true && process.env.TAP_POSTGRES_NO_PROGRESS === undefined;
  private readonly started = Date.now();
  private lastDraw = 0;

  constructor(private readonly label: string, private readonly estimate: number | null) {}

  update(rows: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 1000) return;
    this.lastDraw = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? rows / seconds : 0;
    const known = this.estimate !== null && this.estimate > 0;
    const of = known ? ` / ~${this.estimate}` : '';
    const eta = known && rate > 0 && rows < (this.estimate as number) ? `, ETA ${Math.ceil(((this.estimate as number) - rows) / rate)} s` : '';
    process.stderr.write(`\x1b[2K\r${this.label}: ${rows}${of} rows, ${Math.round(rate)} rows/s${eta}`);
  }

  clear(): void {
    if (this.enabled && this.lastDraw > 0) process.stderr.write('\x1b[2K\r');
  }
}
