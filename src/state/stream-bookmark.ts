/**
 * The bookmark a stream may continue from. A bookmark written under another replication method
 * or another replication key says nothing about the new one: the stream starts over (the caller
 * logs why). Pure.
 */
import type { Bookmark } from './tap-state.js';

export interface BookmarkDecision {
  bookmark: Bookmark | undefined;
  resetReason: string | null;
}

export function continueFrom(existing: Bookmark | undefined, method: string, replicationKey: string | null): BookmarkDecision {
  if (existing === undefined) return { bookmark: undefined, resetReason: null };
  const previousMethod = existing.last_replication_method;
  if (typeof previousMethod === 'string' && previousMethod !== method) {
    return { bookmark: undefined, resetReason: `replication method changed from ${previousMethod} to ${method}` };
  }
  const previousKey = existing.replication_key;
  if (method === 'INCREMENTAL' && typeof previousKey === 'string' && previousKey !== replicationKey) {
    return { bookmark: undefined, resetReason: `replication key changed from ${previousKey} to ${replicationKey ?? 'none'}` };
  }
  return { bookmark: existing, resetReason: null };
}
