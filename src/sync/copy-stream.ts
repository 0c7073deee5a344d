/**
 * The one skeleton of the copy-based methods (FULL_TABLE, INCREMENTAL): SCHEMA, a STATE naming the
 * stream, ACTIVATE_VERSION on a first load, the RECORDs with a STATE every state_interval_rows
 * records (the bookmark following the last row written), and a final STATE. What differs between
 * the methods — the rows read, the bookmark fields, what a complete copy means — comes in a
 * CopyMethod.
 */
import type { CopyRow } from '../postgres/copy/copy-row-scanner.js';
import type { CopyChunks } from '../postgres/copy/copy-query.js';
import type { StreamLog } from '../report/stream-log.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import { activateVersionMessage, schemaMessage } from '../singer/messages.js';
import type { LiveColumns } from './live-columns.js';
import { readRecords } from './read-records.js';
import { StateCadence } from './state-cadence.js';
import type { DatabaseContext } from './sync-strategy.js';

export interface CopyMethod {
  readonly name: 'FULL_TABLE' | 'INCREMENTAL';
  readonly version: number;
  /** The stream's first load: ACTIVATE_VERSION goes out before its first record. */
  readonly firstLoad: boolean;
  readonly bookmarkProperties: readonly string[];
  readonly where?: string;
  readonly orderBy: readonly string[];
  /** The COPY's output when a batch already sent it. */
  readonly copy?: CopyChunks;
  /** The columns `passed` reads of a row (its bookmark's). */
  readonly rowColumns: readonly number[];
  /** The bookmark's fields after last_replication_method, as of the last row passed. */
  fields(): Record<string, unknown>;
  /** A row's record was written: the bookmark may follow it. */
  passed(row: CopyRow): void;
  /** Every row was read (not stopped): what a complete copy means for the method. */
  completed(): Promise<void>;
}

export async function copyStream(plan: StreamPlan, context: DatabaseContext, columns: LiveColumns, log: StreamLog, method: CopyMethod): Promise<void> {
  const { state, writer } = context;
  const save = (): void => {
    state.setBookmark(plan.tapStreamId, { last_replication_method: method.name, ...method.fields() });
  };
  const read = await readRecords(context, plan, columns, {
    beforeRows: async () => {
      // The stream before this one closes first, so the output is in stream order.
      await context.finishing?.settle();
      log.started();
      await writer.write(schemaMessage(plan.stream, columns.schemaJson, plan.keyProperties, method.bookmarkProperties));
      state.setCurrentlySyncing(plan.tapStreamId);
      save();
      await state.emitSoon();
      if (method.firstLoad) await writer.write(activateVersionMessage(plan.stream, method.version));
    },
    version: method.version,
    log,
    orderBy: method.orderBy,
    ...(method.where === undefined ? {} : { where: method.where }),
    ...(method.copy === undefined ? {} : { copy: method.copy }),
    rowColumns: method.rowColumns,
    cadence: new StateCadence(context.config.stateIntervalRows),
    checkpoint: async (lastRow) => {
      method.passed(lastRow);
      save();
      await state.emit();
    },
  });
  if (read.lastRow !== null) method.passed(read.lastRow);
  const finish = async (): Promise<void> => {
    // Interrupted, the STATE covers exactly the rows written and the next run goes on from there.
    if (!read.stopped) {
      await method.completed();
      state.setCurrentlySyncing(null);
    }
    save();
    // Stopped, the STATE goes out now (the run ends on it); a finished stream's may wait for the next.
    if (read.stopped) await state.emit();
    else await state.emitSoon();
    log.bookmark(state.bookmark(plan.tapStreamId));
    log.finished(read.stopped ? 'interrupted' : 'complete');
  };
  // A complete stream closes once the next stream's COPY is on its way (DeferredFinish).
  if (!read.stopped && context.finishing !== undefined) context.finishing.defer(finish);
  else await finish();
}
