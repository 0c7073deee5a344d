import { logger } from '../log.js';
import { invalidBookmark } from '../state/check-bookmarks.js';
import { openTransactions } from '../postgres/open-transactions.js';
import { queryError } from '../postgres/pg-errors.js';
import { bindSettings, boundValue, castProblem } from '../postgres/bind-settings.js';
import type { CopyRow } from '../postgres/copy-text-parser.js';
import { quoteIdent, quoteQualified } from '../postgres/quote.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import { activateVersionMessage, schemaMessage } from '../singer/messages.js';
import type { PgColumnType, ValueConverter } from '../values/index.js';
import { fromBookmarkValue, toBookmarkValue, type BookmarkValue } from './bookmark-value.js';
import { liveColumns } from './live-columns.js';
import { readRecords } from './read-records.js';
import { startingBookmark } from './stream-start.js';
import { StateCadence } from './state-cadence.js';
import { StreamLog } from './stream-log.js';
import type { DatabaseContext, SyncStrategy } from './sync-strategy.js';

/**
 * INCREMENTAL (key-based): rows whose replication key is >= the bookmark, in key order. `>=`
 * re-sends the rows equal to the bookmark, so rows that share the last key value — including ones
 * inserted after the last run — are never skipped. STATE follows the rows it covers, at least
 * every state_interval_rows rows and at the end. Rows whose key is NULL cannot be bookmarked and
 * are not synced; the first run says so.
 */
export const incrementalStrategy: SyncStrategy = {
  method: 'INCREMENTAL',
  async syncStreams(plans: readonly StreamPlan[], context: DatabaseContext): Promise<void> {
    for (const plan of plans) {
      if (context.stop.requested) return;
      await syncIncremental(plan, context);
    }
  },
};

async function syncIncremental(plan: StreamPlan, context: DatabaseContext): Promise<void> {
  const { state, writer, config } = context;
  const key = plan.replicationKey as string;
  const columns = await liveColumns(context.client, plan, config);
  const keyIndex = columns.names.indexOf(key);
  const keyType = columns.types[keyIndex] as PgColumnType;
  const bookmark = startingBookmark(plan, state);
  const log = new StreamLog(plan, context.report, bookmark, null);
  const version = typeof bookmark?.version === 'number' ? bookmark.version : Date.now();
  const from = fromBookmarkValue(bookmark?.replication_key_value);
  let keyValue: BookmarkValue | null = from === null ? null : (bookmark?.replication_key_value as BookmarkValue);

  const save = (): void => {
    state.setBookmark(plan.tapStreamId, {
      last_replication_method: 'INCREMENTAL',
      replication_key: key,
      version,
      ...(keyValue === null ? {} : { replication_key_value: keyValue }),
    });
  };
  await writer.write(schemaMessage(plan.stream, columns.schemaJson, plan.keyProperties, [key]));
  state.setCurrentlySyncing(plan.tapStreamId);
  save();
  await state.emit();
  if (bookmark === undefined) {
    await writer.write(activateVersionMessage(plan.stream, version));
    await warnAboutNullKeys(context, plan, key);
  }

  if (from !== null) {
    const problem = await castProblem(context.client, from, keyType.sqlType);
    if (problem !== null) throw invalidBookmark(plan.tapStreamId, 'replication_key_value', JSON.stringify(from), `a value of the replication key "${key}" (${keyType.sqlType}): ${problem}`);
    await bindSettings(context.client, [from]);
  }
  const keySql = quoteIdent(key);
  const converter = columns.bookmarkConverters[keyIndex] as ValueConverter;
  const hold = await bookmarkHold(context, plan, keyType, converter);
  // A key past the hold may still be joined by rows of transactions open now: the bookmark waits at the hold.
  const keyOf = (row: CopyRow): BookmarkValue => {
    const value = toBookmarkValue(row[keyIndex] as string, keyType, converter);
    return hold !== null && typeof value === 'string' && value > hold ? hold : value;
  };
  const where = from === null ? `${keySql} IS NOT NULL` : `${keySql} >= ${boundValue(0, keyType.sqlType)}`;
  const read = await readRecords(context, plan, columns, {
    version,
    log,
    where,
    orderBy: [key],
    cadence: new StateCadence(config.stateIntervalRows),
    checkpoint: async (lastRow) => {
      keyValue = keyOf(lastRow);
      save();
      await state.emit();
    },
  });
  if (read.lastRow !== null) keyValue = keyOf(read.lastRow);

  save();
  if (!read.stopped) state.setCurrentlySyncing(null);
  await state.emit();
  log.bookmark(state.bookmark(plan.tapStreamId));
  log.finished(read.stopped ? 'interrupted' : 'complete');
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
