import type { ReplicationMethod, TapConfig } from '../config/tap-config.js';
import { withConnection } from '../postgres/connection/connect.js';
import { serverFailure } from '../postgres/connection/pg-errors.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import type { MessageWriter } from '../singer/message-writer.js';
import type { TapState } from '../state/tap-state.js';
import type { RunReport } from '../report/run-report.js';
import type { StopSignal } from './stop-signal.js';
import { fullTableStrategy } from './full-table.js';
import { incrementalStrategy } from './incremental.js';
import { logBasedStrategy } from './log-based.js';
import { StateKeeper } from './state-keeper.js';
import type { SyncStrategy } from './sync-strategy.js';

const STRATEGIES: Readonly<Record<ReplicationMethod, SyncStrategy>> = {
  FULL_TABLE: fullTableStrategy,
  INCREMENTAL: incrementalStrategy,
  LOG_BASED: logBasedStrategy,
};

/**
 * The sync orchestrator: the interrupted stream (currently_syncing) first, then catalog order;
 * one connection per database; each database's streams handed to their strategy by method.
 */
export async function syncAll(config: TapConfig, plans: readonly StreamPlan[], initial: TapState, writer: MessageWriter, run: { report: RunReport; stop: StopSignal; acceptLsnGap?: boolean }): Promise<TapState> {
  const state = new StateKeeper(initial, writer, { everyRows: config.stateIntervalRows, everyMs: 1_000 });
  try {
    for (const [database, databasePlans] of groupBy(resumeFirst(plans, initial.currently_syncing), (plan) => plan.database)) {
      if (run.stop.requested) break;
      await withConnection(config, database, async (client) => {
        for (const [method, methodPlans] of groupBy(databasePlans, (plan) => plan.replicationMethod)) {
          if (run.stop.requested) break;
          await STRATEGIES[method].syncStreams(methodPlans, { config, database, client, writer, state, report: run.report, stop: run.stop, acceptLsnGap: run.acceptLsnGap ?? false });
        }
      }).catch((error: unknown) => {
        // The server or the network failing under any step is a coded (often retryable) error.
        throw serverFailure(error, `syncing database "${database}"`);
      });
    }
  } finally {
    // Records and STATE already produced belong downstream even when a later step fails; a
    // pending STATE covers only records already written.
    await state.flush().catch(() => undefined);
    await writer.flush().catch(() => undefined);
  }
  return state.state;
}


function resumeFirst(plans: readonly StreamPlan[], currentlySyncing: string | null): StreamPlan[] {
  const interrupted = plans.find((plan) => plan.tapStreamId === currentlySyncing);
  if (interrupted === undefined) return [...plans];
  const sameDatabase = plans.filter((plan) => plan.database === interrupted.database && plan !== interrupted);
  const others = plans.filter((plan) => plan.database !== interrupted.database);
  return [interrupted, ...sameDatabase, ...others];
}

/** Groups in order of first appearance. */
function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group === undefined) groups.set(key(item), [item]);
    else group.push(item);
  }
  return groups;
}
