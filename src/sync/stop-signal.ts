/**
 * A request to stop the run early (SIGTERM/SIGINT): readers finish the batch in hand, write a
 * final STATE that covers exactly what was written, and return.
 */
export class StopSignal {
  private why: string | null = null;

  request(reason: string): void {
    this.why ??= reason;
  }

  get requested(): boolean {
    return this.why !== null;
  }

  get reason(): string | null {
    return this.why;
  }
}
