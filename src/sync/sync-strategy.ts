import type { TapConfig } from '../config/tap-config.js';
import type { PgClient } from '../postgres/connection/connect.js';
import { TableSnapshot } from '../postgres/catalog/table-snapshot.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import type { MessageWriter } from '../singer/message-writer.js';
import type { RunReport } from '../report/run-report.js';
import type { StateKeeper } from './state-keeper.js';
import type { StopSignal } from './stop-signal.js';

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
      // One round of catalog queries for all the streams, not one per stream.
      const tables = plans.length > 1 ? await TableSnapshot.take(context.client, plans) : undefined;
      for (const plan of plans) {
        if (context.stop.requested) return;
        await syncOne(plan, tables === undefined ? context : { ...context, tables });
      }
    },
  };
}
