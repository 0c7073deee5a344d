/**
 * The one owner of the LOG_BASED bookmark rule. A stream's `lsn` means: downstream has every
 * selected change committed before this position. It moves forward only
 *  - just past a commit whose records were all handed to the ordered writer (so a STATE carrying
 *    it always follows them), or
 *  - to a keepalive's position while the reader is idle: no transaction open and nothing received
 *    that is not yet written (the server has sent every commit before that position);
 * and never after the decision to stop: whatever arrives afterwards is not read, so nothing of it
 * may be claimed.
 */
import { Lsn } from '../../state/lsn.js';

/** A stream's position as the bookmark rule sees it. */
export interface Positioned {
  readonly lsn: Lsn;
  moveTo(lsn: Lsn): void;
}

export class LogBookmarks {
  private frozen = false;

  constructor(private readonly streams: readonly Positioned[]) {}

  /** A transaction that committed at `commitLsn` (its commit record's start) is all written. */
  committed(commitLsn: Lsn): void {
    if (this.frozen) return;
    for (const stream of this.streams) if (commitLsn >= stream.lsn) stream.moveTo(Lsn.after(commitLsn));
  }

  /**
   * The server reported `walEnd` while the reader was idle: every commit before it was sent, and
   * every message sent was written.
   */
  idle(walEnd: Lsn): void {
    if (this.frozen) return;
    for (const stream of this.streams) if (walEnd > stream.lsn) stream.moveTo(walEnd);
  }

  /** The decision to stop: from here on no position moves. */
  freeze(): void {
    this.frozen = true;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }
}
