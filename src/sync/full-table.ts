import { bindSettings, boundValue, castProblem } from '../postgres/bind-settings.js';
import type { CopyRow } from '../postgres/copy-text-parser.js';
import { quoteIdent } from '../postgres/quote.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import { invalidBookmark } from '../state/check-bookmarks.js';
import { activateVersionMessage, schemaMessage } from '../singer/messages.js';
import type { PgColumnType, ValueConverter } from '../values/index.js';
import { fromBookmarkValue, toBookmarkValue, type BookmarkValue } from './bookmark-value.js';
import { liveColumns, type LiveColumns } from './live-columns.js';
import { readRecords } from './read-records.js';
import { startingBookmark } from './stream-start.js';
import { StateCadence } from './state-cadence.js';
import { StreamLog } from './stream-log.js';
import type { DatabaseContext, SyncStrategy } from './sync-strategy.js';

/**
 * FULL_TABLE: copy every row under a table version. ACTIVATE_VERSION goes out before the first
 * ever load (so the target shows rows early) and after each complete copy (so the target drops
 * rows of older versions). Tables with a primary key are read in key order and STATE carries the
 * last key written (`last_pk_fetched`), so an interrupted copy resumes after it within the same
 * version; a table without a key starts its copy again.
 */
export const fullTableStrategy: SyncStrategy = {
  method: 'FULL_TABLE',
  async syncStreams(plans: readonly StreamPlan[], context: DatabaseContext): Promise<void> {
    for (const plan of plans) {
      if (context.stop.requested) return;
      await syncTable(plan, context);
    }
  },
};

async function syncTable(plan: StreamPlan, context: DatabaseContext): Promise<void> {
  const { state, writer, config } = context;
  const columns = await liveColumns(context.client, plan, config);
  const bookmark = startingBookmark(plan, state);
  const log = new StreamLog(plan, context.report, bookmark, columns.rowEstimate);
  const keys = plan.isView ? [] : plan.keyProperties;
  const resumeFrom = keys.length === 0 ? null : lastKey(bookmark?.last_pk_fetched, keys);
  const resuming = resumeFrom !== null && typeof bookmark?.version === 'number';
  const version = resuming ? (bookmark?.version as number) : Date.now();
  const firstRun = bookmark?.version === undefined;
  let lastPk: Record<string, BookmarkValue> | null = resuming ? (bookmark?.last_pk_fetched as Record<string, BookmarkValue>) : null;

  const save = (): void => {
    state.setBookmark(plan.tapStreamId, { last_replication_method: 'FULL_TABLE', version, ...(lastPk === null ? {} : { last_pk_fetched: lastPk }) });
  };
  await writer.write(schemaMessage(plan.stream, columns.schemaJson, plan.keyProperties, []));
  state.setCurrentlySyncing(plan.tapStreamId);
  save();
  await state.emit();
  if (firstRun) await writer.write(activateVersionMessage(plan.stream, version));

  if (resuming) {
    for (const [i, key] of keys.entries()) {
      const type = (columns.types[columns.names.indexOf(key)] as PgColumnType).sqlType;
      const problem = await castProblem(context.client, resumeFrom[i] as string, type);
      if (problem !== null) throw invalidBookmark(plan.tapStreamId, `last_pk_fetched.${key}`, JSON.stringify(resumeFrom[i]), `a value of key column "${key}" (${type}): ${problem}`);
    }
    await bindSettings(context.client, resumeFrom);
  }
  const keyIndexes = keys.map((key) => columns.names.indexOf(key));
  const keyOf = (row: CopyRow): Record<string, BookmarkValue> => Object.fromEntries(keys.map((key, i) => {
    const index = keyIndexes[i] as number;
    return [key, toBookmarkValue(row[index] as string, columns.types[index] as PgColumnType, columns.bookmarkConverters[index] as ValueConverter)];
  }));
  const read = await readRecords(context, plan, columns, {
    version,
    log,
    orderBy: keys,
    ...(resuming ? { where: afterKeySql(keys, keyIndexes, columns) } : {}),
    cadence: new StateCadence(config.stateIntervalRows),
    checkpoint: async (lastRow) => {
      if (keys.length > 0) lastPk = keyOf(lastRow);
      save();
      await state.emit();
    },
  });
  if (read.lastRow !== null && keys.length > 0) lastPk = keyOf(read.lastRow);

  if (read.stopped) {
    // Interrupted: the STATE covers exactly the rows written; the next run resumes after lastPk.
    save();
    await state.emit();
    log.bookmark(state.bookmark(plan.tapStreamId));
    log.finished('interrupted');
    return;
  }
  await writer.write(activateVersionMessage(plan.stream, version));
  lastPk = null;
  save();
  state.setCurrentlySyncing(null);
  await state.emit();
  log.bookmark(state.bookmark(plan.tapStreamId));
  log.finished();
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
