/**
 * Table-level reset: drop the bookmarks of the streams matching any pattern (exact
 * tap_stream_ids or globs such as `app-public-*`), so the next run copies them again. Pure.
 */
import { globToRegExp } from '../selection/glob-pattern.js';
import type { TapState } from './tap-state.js';

export function resetBookmarks(state: TapState, patterns: readonly string[]): { state: TapState; removed: string[] } {
  const matchers = patterns.map(globToRegExp);
  const removed = Object.keys(state.bookmarks).filter((id) => matchers.some((matcher) => matcher.test(id)));
  const bookmarks = Object.fromEntries(Object.entries(state.bookmarks).filter(([id]) => !removed.includes(id)));
  const currently = state.currently_syncing !== null && removed.includes(state.currently_syncing) ? null : state.currently_syncing;
  return { state: Object.freeze({ ...state, currently_syncing: currently, bookmarks: Object.freeze(bookmarks) }), removed };
}
