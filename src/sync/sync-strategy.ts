import type { TapConfig } from '../config/tap-config.js';
import type { PgClient } from '../postgres/connection/connect.js';
import { TableSnapshot } from '../postgres/catalog/table-snapshot.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import type { MessageWriter } from '../singer/message-writer.js';
import type { RunReport } from '../report/run-report.js';
import type { StateKeeper } from './state-keeper.js';
import type { StopSignal } from './stop-signal.js';
import { DeferredFinish } from './deferred-finish.js';
import { serverEncoding } from '../postgres/catalog/server-encoding.js';

/** What a strategy gets for one database: its connection, the output and the state. */
export interface DatabaseContext {
  readonly config: TapConfig;
  readonly database: string;
  readonly client: PgClient;
  readonly writer: MessageWriter;
  readonly state: StateKeeper;
  readonly report: RunReport;
  readonly stop: StopSignal;
  /** --accept-lsn-gap: a LOG_BASED state that does not fit the slot reads on from the slot's position. */
  readonly acceptLsnGap: boolean;
  /** The streams' tables as read when the strategy started (copy-based methods). */
  readonly tables?: TableSnapshot;
  /** Where a copied stream leaves its closing step for the next stream to settle (stream-by-stream methods). */
  readonly finishing?: DeferredFinish;
  /**
   * Whether COPY text is valid UTF-8: every server encoding but SQL_ASCII is converted to the
   * session's UTF8; SQL_ASCII passes stored bytes through unchecked. Unknown (absent) counts as no.
   */
  readonly textIsUtf8?: boolean;
}

/**
 * The one interface of FULL_TABLE, INCREMENTAL and LOG_BASED sync. A strategy receives all of one
 * database's streams of its method at once, so log-based sync can serve them from one session.
 */
export interface SyncStrategy {
  syncStreams(plans: readonly StreamPlan[], context: DatabaseContext): Promise<void>;
}

/** A strategy that syncs a database's streams one after the other, until a stop is requested. */
export function streamByStream(syncOne: (plan: StreamPlan, context: DatabaseContext) => Promise<void>): SyncStrategy {
  return {
    async syncStreams(plans, context) {
      await eachStream(plans, context, async (remaining, streamContext) => {
        await syncOne(remaining[0] as StreamPlan, streamContext);
        return 1;
      });
    },
  };
}

/** The most streams one step of eachStream is offered. */
const STEP_WINDOW = 100;

/**
 * The loop of the copy-based methods: one snapshot of the tables for all the streams, then `step`
 * on the streams not yet synced until none is left or a stop is requested. A step syncs one or
 * more streams from the front of `remaining` and says how many.
 */
export async function eachStream(plans: readonly StreamPlan[], context: DatabaseContext, step: (remaining: readonly StreamPlan[], context: DatabaseContext) => Promise<number>): Promise<void> {
  // One round of catalog queries for all the streams, not one per stream.
  const tables = plans.length > 1 ? await TableSnapshot.take(context.client, plans) : undefined;
  const finishing = new DeferredFinish();
  const textIsUtf8 = (await serverEncoding(context.client)) !== 'SQL_ASCII';
  const streamContext: DatabaseContext = { ...context, finishing, textIsUtf8, ...(tables === undefined ? {} : { tables }) };
  try {
    // A step sees the next STEP_WINDOW streams at most: slicing the whole rest each time was quadratic.
    for (let next = 0; next < plans.length && !context.stop.requested; ) next += await step(plans.slice(next, next + STEP_WINDOW), streamContext);
  } catch (error) {
    // The stream before the failing one was read whole: its closing messages still go out.
    await finishing.settle().catch(() => undefined);
    throw error;
  }
  await finishing.settle();
}
