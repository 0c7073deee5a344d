/**
 * Holds the run's current state. `emit` writes it through the same ordered writer as the
 * records, so a STATE line always follows the records it covers.
 *
 * A STATE carries every stream's bookmark, so one per stream boundary makes a run of thousands of
 * small streams write a quadratic amount of state (2,000 streams: ~500 MB). `emitSoon` is for
 * those boundaries: it writes the STATE when `everyRows` records or `everyMs` passed since the
 * last one (and always the run's first), else leaves it pending for the next STATE or `flush` at
 * the run's end. An older STATE is still a correct resume point (it only re-sends more), and no
 * STATE ever covers a record not yet written.
 */
import { stateMessage } from '../singer/messages.js';
import type { MessageWriter } from '../singer/message-writer.js';
import type { Bookmark, TapState } from '../state/tap-state.js';

export class StateKeeper {
  private lastEmitAt: number | null = null;
  private recordsSince = 0;
  private pending = false;
  // Kept as a map and built into a TapState only when read: copying every bookmark on each update
  // made a run of thousands of streams quadratic.
  private readonly bookmarks: Map<string, Bookmark>;
  private currentlySyncing: string | null;

  constructor(initial: TapState, private readonly writer: MessageWriter, private readonly pace: { everyRows: number; everyMs: number } = { everyRows: 10_000, everyMs: 1_000 }) {
    this.bookmarks = new Map(Object.entries(initial.bookmarks));
    this.currentlySyncing = initial.currently_syncing;
  }

  get state(): TapState {
    return Object.freeze({ currently_syncing: this.currentlySyncing, bookmarks: Object.freeze(Object.fromEntries(this.bookmarks)) });
  }

  bookmark(streamId: string): Bookmark | undefined {
    return this.bookmarks.get(streamId);
  }

  setBookmark(streamId: string, bookmark: Bookmark): void {
    this.bookmarks.set(streamId, Object.freeze({ ...bookmark }));
  }

  removeBookmark(streamId: string): void {
    this.bookmarks.delete(streamId);
  }

  setCurrentlySyncing(streamId: string | null): void {
    this.currentlySyncing = streamId;
  }

  /** Records written (by any stream) since the last STATE. */
  noteRecords(count: number): void {
    this.recordsSince += count;
  }

  async emit(): Promise<void> {
    this.pending = false;
    this.recordsSince = 0;
    this.lastEmitAt = Date.now();
    await this.writer.write(stateMessage(this.state));
  }

  /** A STATE at a stream boundary: now if one is due, else at the next STATE or `flush`. */
  async emitSoon(): Promise<void> {
    const due = this.lastEmitAt === null || this.recordsSince >= this.pace.everyRows || Date.now() - this.lastEmitAt >= this.pace.everyMs;
    if (due) await this.emit();
    else this.pending = true;
  }

  /** Writes a pending STATE (the run ends, or stops). */
  async flush(): Promise<void> {
    if (this.pending) await this.emit();
  }
}
