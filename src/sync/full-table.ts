/**
 * FULL_TABLE: copy every row under a table version. ACTIVATE_VERSION goes out before the first
 * ever load (so the target shows rows early) and after each complete copy (so the target drops
 * rows of older versions). Tables with a primary key are read in key order and STATE carries the
 * last key written (`last_pk_fetched`), so an interrupted copy resumes after it within the same
 * version; a table without a key starts its copy again.
 */
import { bindSettings, boundValue, castProblem } from '../postgres/copy/bind-settings.js';
import type { CopyRow } from '../postgres/copy/copy-row-scanner.js';
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
import { eachStream, type DatabaseContext, type SyncStrategy } from './sync-strategy.js';
import { CopyBatch } from '../postgres/copy/copy-batch.js';
import { logger } from '../log.js';
import type { CopyChunks } from '../postgres/copy/copy-query.js';
import { selectSql } from './read-records.js';
import type { Bookmark } from '../state/tap-state.js';

/** A table the planner puts at or below this many rows is copied in a batch with its neighbours. */
const BATCH_ROWS = 10_000;
/** At most this many tables in one batch (one Query message). */
const BATCH_TABLES = 100;

/**
 * Stream by stream, in catalog order. A run of fresh copies of small tables is sent as one batch
 * of COPY statements (CopyBatch), which saves a round trip per table; a resumed copy, a view, and
 * a large, empty or never-analyzed table are copied on their own.
 */
export const fullTableStrategy: SyncStrategy = {
  async syncStreams(plans, context) {
    await eachStream(plans, context, async (remaining, streamContext) => {
      const batch: Prepared[] = [];
      // The stream that ended the batch, copied on its own after it.
      let alone: Prepared | null = null;
      for (const plan of remaining.slice(0, BATCH_TABLES)) {
        let prepared: Prepared;
        try {
          prepared = await prepare(plan, streamContext);
        } catch (error) {
          // The streams before it are copied first; it fails again as the next step's first.
          if (batch.length === 0) throw error;
          break;
        }
        if (!prepared.batchable) {
          alone = prepared;
          break;
        }
        batch.push(prepared);
      }
      if (batch.length > 0) await copyBatch(batch, streamContext);
      if (alone === null || streamContext.stop.requested) return batch.length;
      await syncTable(alone, streamContext, undefined);
      return batch.length + 1;
    });
  },
};

/** What a stream's copy needs before its COPY is sent. */
interface Prepared {
  plan: StreamPlan;
  columns: LiveColumns;
  bookmark: Bookmark | undefined;
  keys: readonly string[];
  /** The last key written by an interrupted copy of the bookmark's version (it goes on after it), else null. */
  resumeFrom: string[] | null;
  /** A fresh copy of a table known to be small. */
  batchable: boolean;
}

async function prepare(plan: StreamPlan, context: DatabaseContext): Promise<Prepared> {
  const facts = context.tables?.get(plan) ?? null;
  const columns = await liveColumns(context.client, plan, context.config, { snapshot: facts });
  const bookmark = startingBookmark(plan, context.state);
  const keys = plan.isView ? [] : plan.keyProperties;
  const lastWritten = keys.length === 0 ? null : lastKey(bookmark?.last_pk_fetched, keys);
  const resumeFrom = typeof bookmark?.version === 'number' ? lastWritten : null;
  // Known small: analyzed or vacuumed with rows in it (pages), not a view (whose cost is its query).
  const batchable = resumeFrom === null && !plan.isView && facts !== null && facts.pages > 0 && facts.rowEstimate !== null && facts.rowEstimate <= BATCH_ROWS;
  return { plan, columns, bookmark, keys, resumeFrom, batchable };
}

/** The batch's streams in order, their COPY statements sent at once (a batch of one sends its own). */
async function copyBatch(batch: readonly Prepared[], context: DatabaseContext): Promise<void> {
  if (batch.length === 1) {
    await syncTable(batch[0] as Prepared, context, undefined);
    return;
  }
  logger('sync').debug({ tables: batch.length, first: batch[0]?.plan.tapStreamId }, `copying ${batch.length} small tables with one batch of COPY statements`);
  const copies = CopyBatch.start(context.client, batch.map((prepared) => selectSql(prepared.plan, prepared.columns.names, { orderBy: prepared.keys })));
  try {
    for (const prepared of batch) {
      if (context.stop.requested) return;
      await syncTable(prepared, context, copies.next());
    }
  } finally {
    copies.close();
  }
}

/** `copy`: the stream's COPY output when a batch sent it (then it is a fresh copy: no resume). */
async function syncTable(prepared: Prepared, context: DatabaseContext, copy: CopyChunks | undefined): Promise<void> {
  const { plan, columns, bookmark, keys, resumeFrom } = prepared;
  const log = new StreamLog(plan, context.report, bookmark, columns.rowEstimate, false);
  const resuming = resumeFrom !== null;
  const version = resuming ? (bookmark?.version as number) : Date.now();
  let lastPk: Record<string, BookmarkValue> | null = resuming ? (bookmark?.last_pk_fetched as Record<string, BookmarkValue>) : null;
  if (resumeFrom !== null) await bindResumeKey(plan, context, columns, keys, resumeFrom);
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
    rowColumns: keyIndexes,
    ...(resuming ? { where: afterKeySql(keys, keyIndexes, columns) } : {}),
    ...(copy === undefined ? {} : { copy }),
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
