/**
 * INCREMENTAL (key-based): rows whose replication key is >= the bookmark, in key order. `>=`
 * re-sends the rows equal to the bookmark, so rows that share the last key value — including ones
 * inserted after the last run — are never skipped. STATE follows the rows it covers, at least
 * every state_interval_rows rows and at the end. Rows whose key is NULL cannot be bookmarked and
 * are not synced; the first run says so.
 */
import { logger } from '../log.js';
import { invalidBookmark } from '../state/check-bookmarks.js';
import { openTransactions } from '../postgres/catalog/open-transactions.js';
import { queryError } from '../postgres/connection/pg-errors.js';
import { bindSettings, boundValue, castProblem } from '../postgres/copy/bind-settings.js';
import { quoteIdent, quoteQualified } from '../postgres/quote.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import type { PgColumnType, ValueConverter } from '../values/index.js';
import { fromBookmarkValue, toBookmarkValue, type BookmarkValue } from './bookmark-value.js';
import { liveColumns } from './live-columns.js';
import { copyStream } from './copy-stream.js';
import { startingBookmark } from './starting-bookmark.js';
import { StreamLog } from '../report/stream-log.js';
import { streamByStream, type DatabaseContext, type SyncStrategy } from './sync-strategy.js';

export const incrementalStrategy: SyncStrategy = streamByStream(syncIncremental);

async function syncIncremental(plan: StreamPlan, context: DatabaseContext): Promise<void> {
  const key = plan.replicationKey as string;
  const columns = await liveColumns(context.client, plan, context.config, { snapshot: context.tables?.get(plan) ?? null });
  const keyIndex = columns.names.indexOf(key);
  const keyType = columns.types[keyIndex] as PgColumnType;
  const bookmark = startingBookmark(plan, context.state);
  const log = new StreamLog(plan, context.report, bookmark, null, false);
  const version = typeof bookmark?.version === 'number' ? bookmark.version : Date.now();
  const from = fromBookmarkValue(bookmark?.replication_key_value);
  let keyValue: BookmarkValue | null = from === null ? null : (bookmark?.replication_key_value as BookmarkValue);
  if (bookmark === undefined) await warnAboutNullKeys(context, plan, key);
  if (from !== null) {
    const problem = await castProblem(context.client, from, keyType.sqlType);
    if (problem !== null) throw invalidBookmark(plan.tapStreamId, 'replication_key_value', JSON.stringify(from), `a value of the replication key "${key}" (${keyType.sqlType}): ${problem}`);
    await bindSettings(context.client, [from]);
  }
  const converter = columns.bookmarkConverters[keyIndex] as ValueConverter;
  const hold = await bookmarkHold(context, plan, keyType, converter);
  const keySql = quoteIdent(key);
  await copyStream(plan, context, columns, log, {
    name: 'INCREMENTAL',
    version,
    firstLoad: bookmark === undefined,
    bookmarkProperties: [key],
    // `>=`: rows that share the bookmark's value, or came since with it, are read again, never skipped.
    where: from === null ? `${keySql} IS NOT NULL` : `${keySql} >= ${boundValue(0, keyType.sqlType)}`,
    orderBy: [key],
    rowColumns: [keyIndex],
    fields: () => ({ replication_key: key, version, ...(keyValue === null ? {} : { replication_key_value: keyValue }) }),
    passed: (row) => {
      // A key past the hold may still be joined by rows of transactions open now: the bookmark waits at the hold.
      const value = toBookmarkValue(row[keyIndex] as string, keyType, converter);
      keyValue = hold !== null && typeof value === 'string' && value > hold ? hold : value;
    },
    completed: async () => undefined,
  });
}

/**
 * INCREMENTAL's late-commit limit: a transaction open while the rows are read, whose rows carry
 * keys below the last key read, commits afterwards and would never be read (`>=` the bookmark).
 * For a timestamptz key set from the database clock such rows have keys at or after their
 * transaction's start, so the bookmark is held at the start of the oldest transaction open now
 * (or now): rows from there on are read again next run. Other key types get no hold (README says
 * which key designs are safe).
 */
async function bookmarkHold(context: DatabaseContext, plan: StreamPlan, keyType: PgColumnType, converter: ValueConverter): Promise<string | null> {
  if (keyType.typname !== 'timestamptz') return null;
  const open = await openTransactions(context.client);
  if (open.hidden > 0 && !warnedHidden) {
    warnedHidden = true;
    logger('sync').warn({ tap_stream_id: plan.tapStreamId, hidden_sessions: open.hidden }, `stream ${plan.tapStreamId}: ${open.hidden} sessions' transactions are hidden from user ${context.config.user}, so rows they commit late with a key below the bookmark can be missed; run GRANT pg_read_all_stats TO "${context.config.user}"; to let the tap hold its bookmark below them`);
  }
  const hold = toBookmarkValue(open.oldestStart, keyType, converter);
  return typeof hold === 'string' ? hold : null;
}

let warnedHidden = false;

async function warnAboutNullKeys(context: DatabaseContext, plan: StreamPlan, key: string): Promise<void> {
  const sql = `SELECT EXISTS (SELECT 1 FROM ${quoteQualified(plan.schema, plan.table)} WHERE ${quoteIdent(key)} IS NULL) AS has_nulls`;
  try {
    const result = await context.client.query<{ has_nulls: boolean }>(sql);
    if (result.rows[0]?.has_nulls === true) {
      logger('sync').warn({ tap_stream_id: plan.tapStreamId, replication_key: key }, `stream ${plan.tapStreamId}: rows whose replication key "${key}" is NULL cannot be bookmarked and are not synced; use a NOT NULL key column or FULL_TABLE`);
    }
  } catch (error) {
    throw queryError(error, `checking replication key "${key}" of stream ${plan.tapStreamId} for NULLs`, `GRANT SELECT ON ${quoteQualified(plan.schema, plan.table)} TO ${quoteIdent(context.config.user)};`);
  }
}
