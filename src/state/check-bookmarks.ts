/**
 * The input state checked against the selection before anything is read. A bookmark whose form
 * is wrong is an error naming the stream, the key and the form expected — never a silent
 * "no bookmark" and a full re-copy. A bookmark the tap cannot use but may safely set aside (a
 * stream the catalog does not have, a key column that is no longer the key) is a warning that
 * says what will happen. Pure; the caller logs the warnings.
 */
import { TapError } from '../errors.js';
import { Lsn } from './lsn.js';
import type { Bookmark, TapState } from './tap-state.js';

/** What the check needs of a selected stream. */
export interface BookmarkOwner {
  tapStreamId: string;
  replicationMethod: string;
  keyProperties: readonly string[];
  replicationKey: string | null;
}

/** Returns the warnings; throws STATE_INVALID for a malformed bookmark. */
export function checkBookmarks(state: TapState, streams: readonly BookmarkOwner[], catalogIds: ReadonlySet<string>): string[] {
  const warnings: string[] = [];
  const unknown = Object.keys(state.bookmarks).filter((id) => !catalogIds.has(id));
  if (unknown.length > 0) {
    warnings.push(`the state has bookmarks for ${unknown.length} stream(s) this catalog does not have (${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ', …' : ''}): they are kept unchanged, not used (a state of another tap or an older catalog?)`);
  }
  if (state.currently_syncing !== null && !catalogIds.has(state.currently_syncing)) {
    warnings.push(`the state's currently_syncing names ${state.currently_syncing}, which this catalog does not have: ignored`);
  }
  for (const stream of streams) {
    const bookmark = state.bookmarks[stream.tapStreamId];
    if (bookmark === undefined) continue;
    checkVersion(stream.tapStreamId, bookmark);
    if (bookmark.last_replication_method !== undefined && bookmark.last_replication_method !== stream.replicationMethod) continue;
    if (stream.replicationMethod === 'LOG_BASED') checkLsn(stream.tapStreamId, bookmark);
    if (stream.replicationMethod === 'INCREMENTAL') checkKeyValue(stream.tapStreamId, bookmark);
    if (stream.replicationMethod === 'FULL_TABLE') {
      const problem = lastPkProblem(stream, bookmark);
      if (problem !== null) warnings.push(`stream ${stream.tapStreamId}: ${problem}: its interrupted copy cannot resume, so the full copy starts again`);
    }
  }
  return warnings;
}

function checkVersion(id: string, bookmark: Bookmark): void {
  const version = bookmark.version;
  if (version === undefined || version === null) return;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version <= 0) {
    throw invalidBookmark(id, 'version', JSON.stringify(version), 'a positive integer (the table version, milliseconds since 1970)');
  }
}

function checkLsn(id: string, bookmark: Bookmark): void {
  const lsn = bookmark.lsn;
  if (lsn === undefined || lsn === null) return;
  if (Lsn.fromBookmark(lsn) === null) throw invalidBookmark(id, 'lsn', JSON.stringify(lsn), "a WAL position: a non-negative integer (as singer-io writes it) or PostgreSQL's text such as \"16/B374D848\"");
}

function checkKeyValue(id: string, bookmark: Bookmark): void {
  const value = bookmark.replication_key_value;
  if (value === undefined || value === null) return;
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return;
  throw invalidBookmark(id, 'replication_key_value', JSON.stringify(value), 'a value of the replication key: a string or a number');
}

/** Why last_pk_fetched cannot be used, or null (also when there is none). Malformed values are errors. */
function lastPkProblem(stream: BookmarkOwner, bookmark: Bookmark): string | null {
  const lastPk = bookmark.last_pk_fetched;
  if (lastPk === undefined || lastPk === null) return null;
  if (typeof lastPk !== 'object' || Array.isArray(lastPk)) {
    throw invalidBookmark(stream.tapStreamId, 'last_pk_fetched', JSON.stringify(lastPk), 'an object of the primary key columns and their last values, e.g. {"id": 120000}');
  }
  const entries = Object.entries(lastPk as Record<string, unknown>);
  for (const [column, value] of entries) {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
      throw invalidBookmark(stream.tapStreamId, `last_pk_fetched.${column}`, JSON.stringify(value), 'a key value: a string or a number');
    }
  }
  const columns = entries.map(([column]) => column);
  const sameKey = columns.length === stream.keyProperties.length && stream.keyProperties.every((key) => columns.includes(key));
  if (stream.keyProperties.length === 0) return `last_pk_fetched names ${columns.join(', ')}, but the stream has no primary key now`;
  return sameKey ? null : `last_pk_fetched names ${columns.join(', ')}, but the primary key is ${stream.keyProperties.join(', ')} now`;
}

/** STATE_INVALID for one bookmark key: the stream, the key, the value (JSON) and the form expected. */
export function invalidBookmark(id: string, key: string, value: string, expected: string): TapError {
  return new TapError('STATE_INVALID', `state bookmark of stream ${id}: "${key}" is ${value.length > 60 ? `${value.slice(0, 57)}...` : value}, not ${expected}`, {
    hint: `Fix bookmarks.${id}.${key} in the state file, or remove the stream's bookmark (tap-postgres state reset --state FILE --stream ${id}) to copy it again.`,
  });
}
