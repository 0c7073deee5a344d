/**
 * Holds the run's current state. `emit` writes it through the same ordered writer as the
 * records, so a STATE line always follows the records it covers.
 */
import { stateMessage } from '../singer/messages.js';
import type { MessageWriter } from '../singer/message-writer.js';
import { removeBookmark, setBookmark, setCurrentlySyncing, type Bookmark, type TapState } from '../state/tap-state.js';

export class StateKeeper {
  constructor(private current: TapState, private readonly writer: MessageWriter) {}

  get state(): TapState {
    return this.current;
  }

  bookmark(streamId: string): Bookmark | undefined {
    return this.current.bookmarks[streamId];
  }

  setBookmark(streamId: string, bookmark: Bookmark): void {
    this.current = setBookmark(this.current, streamId, bookmark);
  }

  removeBookmark(streamId: string): void {
    this.current = removeBookmark(this.current, streamId);
  }

  setCurrentlySyncing(streamId: string | null): void {
    this.current = setCurrentlySyncing(this.current, streamId);
  }

  async emit(): Promise<void> {
    await this.writer.write(stateMessage(this.current));
  }
}
