/**
 * FULL_TABLE: copy every row under a table version. ACTIVATE_VERSION goes out before the first
 * ever load (so the target shows rows early) and after each complete copy (so the target drops
 * rows of older versions). Tables with a primary key are read in key order and STATE carries the
 * last key written (`last_pk_fetched`), so an interrupted copy resumes after it within the same
 * version; a table without a key starts its copy again.
 */
import { bindSettings, boundValue, castProblem } from '../postgres/copy/bind-settings.js';
import type { CopyRow } from '../postgres/copy/copy-text-parser.js';
import { quoteIdent } from '../postgres/quote.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import { invalidBookmark } from '../state/check-bookmarks.js';
import { activateVersionMessage } from '../singer/messages.js';
import type { PgColumnType, ValueConverter } from '../values/index.js';
import { fromBookmarkValue, toBookmarkValue, type BookmarkValue } from './bookmark-value.js';
import { liveColumns, type LiveColumns } from './live-columns.js';
import { copyStream } from './copy-stream.js';
import { startingBookmark } from './starting-bookmark.js';
import { StreamLog } from '../report/stream-log.js';
import { streamByStream, type DatabaseContext, type SyncStrategy } from './sync-strategy.js';

export const fullTableStrategy: SyncStrategy = streamByStream(syncTable);

async function syncTable(plan: StreamPlan, context: DatabaseContext): Promise<void> {
  const columns = await liveColumns(context.client, plan, context.config, { snapshot: context.tables?.get(plan) ?? null });
  const bookmark = startingBookmark(plan, context.state);
  const log = new StreamLog(plan, context.report, bookmark, columns.rowEstimate);
  const keys = plan.isView ? [] : plan.keyProperties;
  const resumeFrom = keys.length === 0 ? null : lastKey(bookmark?.last_pk_fetched, keys);
  const resuming = resumeFrom !== null && typeof bookmark?.version === 'number';
  const version = resuming ? (bookmark?.version as number) : Date.now();
  let lastPk: Record<string, BookmarkValue> | null = resuming ? (bookmark?.last_pk_fetched as Record<string, BookmarkValue>) : null;
  if (resuming) await bindResumeKey(plan, context, columns, keys, resumeFrom);
  const keyIndexes = keys.map((key) => columns.names.indexOf(key));
  const keyOf = (row: CopyRow): Record<string, BookmarkValue> => Object.fromEntries(keys.map((key, i) => {
    const index = keyIndexes[i] as number;
    return [key, toBookmarkValue(row[index] as string, columns.types[index] as PgColumnType, columns.bookmarkConverters[index] as ValueConverter)];
  }));
  await copyStream(plan, context, columns, log, {
    name: 'FULL_TABLE',
    version,
    firstLoad: bookmark?.version === undefined,
    bookmarkProperties: [],
    orderBy: keys,
    ...(resuming ? { where: afterKeySql(keys, keyIndexes, columns) } : {}),
    fields: () => ({ version, ...(lastPk === null ? {} : { last_pk_fetched: lastPk }) }),
    passed: (row) => {
      if (keys.length > 0) lastPk = keyOf(row);
    },
    completed: async () => {
      // The target drops rows of older versions; the next run starts a new copy.
      await context.writer.write(activateVersionMessage(plan.stream, version));
      lastPk = null;
    },
  });
}

/** An interrupted copy goes on after its last key, each value checked against the key column's type. */
async function bindResumeKey(plan: StreamPlan, context: DatabaseContext, columns: LiveColumns, keys: readonly string[], values: readonly string[]): Promise<void> {
  for (const [i, key] of keys.entries()) {
    const type = (columns.types[columns.names.indexOf(key)] as PgColumnType).sqlType;
    const problem = await castProblem(context.client, values[i] as string, type);
    if (problem !== null) throw invalidBookmark(plan.tapStreamId, `last_pk_fetched.${key}`, JSON.stringify(values[i]), `a value of key column "${key}" (${type}): ${problem}`);
  }
  await bindSettings(context.client, values);
}

/** The stored last key as texts in key order, or null when the bookmark has none (or a partial one). */
function lastKey(stored: unknown, keys: readonly string[]): string[] | null {
  if (stored === null || typeof stored !== 'object') return null;
  const values = keys.map((key) => fromBookmarkValue((stored as Record<string, unknown>)[key]));
  return values.every((value) => value !== null) ? (values as string[]) : null;
}

/** `(k1, k2) > (bound1, bound2)`: row comparison matches ORDER BY k1, k2 for any key types. */
function afterKeySql(keys: readonly string[], keyIndexes: readonly number[], columns: LiveColumns): string {
  const left = keys.map(quoteIdent).join(', ');
  const right = keyIndexes.map((index, i) => boundValue(i, (columns.types[index] as PgColumnType).sqlType)).join(', ');
  return `(${left}) > (${right})`;
}
