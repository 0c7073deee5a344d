/**
 * The Singer state this tap reads and writes (design section 4), and pure updates of it. Every
 * update returns a new object; the orchestrator decides when a state is safe to emit.
 */
import { TapError } from '../errors.js';

export type Bookmark = Readonly<Record<string, unknown>>;

export interface TapState {
  readonly currently_syncing: string | null;
  readonly bookmarks: Readonly<Record<string, Bookmark>>;
}

export const EMPTY_STATE: TapState = Object.freeze({ currently_syncing: null, bookmarks: Object.freeze({}) });

/** Accepts singer-io and pipelinewise state files; unknown top-level keys are kept out. */
export function parseState(raw: unknown): TapState {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid('state must be a JSON object', 'Pass the value of the last STATE message, e.g. {"bookmarks": {...}}.');
  }
  const value = 'value' in raw && (raw as { type?: unknown }).type === 'STATE' ? (raw as { value: unknown }).value : raw;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('state key "value" must be an object', 'Pass the value of the last STATE message, e.g. {"bookmarks": {...}}.');
  }
  const record = value as Record<string, unknown>;
  const bookmarks = record.bookmarks ?? {};
  if (bookmarks === null || typeof bookmarks !== 'object' || Array.isArray(bookmarks)) {
    throw invalid('state key "bookmarks" must be an object', 'Each bookmark is keyed by tap_stream_id, e.g. {"bookmarks": {"db-public-orders": {...}}}.');
  }
  for (const [streamId, bookmark] of Object.entries(bookmarks as Record<string, unknown>)) {
    if (bookmark === null || typeof bookmark !== 'object' || Array.isArray(bookmark)) {
      throw invalid(`state key "bookmarks.${streamId}" must be an object`, 'Remove or fix that bookmark (tap-postgres state reset can remove it).');
    }
  }
  const current = record.currently_syncing ?? null;
  if (current !== null && typeof current !== 'string') {
    throw invalid('state key "currently_syncing" must be a string or null', 'Set it to a tap_stream_id or null.');
  }
  return Object.freeze({ currently_syncing: current, bookmarks: Object.freeze({ ...(bookmarks as Record<string, Bookmark>) }) });
}

export function getBookmark(state: TapState, streamId: string): Bookmark | undefined {
  return state.bookmarks[streamId];
}

export function setBookmark(state: TapState, streamId: string, bookmark: Bookmark): TapState {
  return Object.freeze({ ...state, bookmarks: Object.freeze({ ...state.bookmarks, [streamId]: Object.freeze({ ...bookmark }) }) });
}

export function removeBookmark(state: TapState, streamId: string): TapState {
  const bookmarks = { ...state.bookmarks };
  delete bookmarks[streamId];
  return Object.freeze({ ...state, bookmarks: Object.freeze(bookmarks) });
}

export function setCurrentlySyncing(state: TapState, streamId: string | null): TapState {
  return Object.freeze({ ...state, currently_syncing: streamId });
}

function invalid(message: string, hint: string): TapError {
  return new TapError('STATE_INVALID', message, { hint });
}
