import type { StreamPlan } from '../selection/stream-plan.js';
import { activateVersionMessage, schemaMessage } from '../singer/messages.js';
import { liveColumns } from './live-columns.js';
import { readRecords } from './read-records.js';
import { StreamLog } from './stream-log.js';
import type { DatabaseContext, SyncStrategy } from './sync-strategy.js';

/**
 * FULL_TABLE: copy every row under a new table version. ACTIVATE_VERSION goes out before the
 * first ever load (so the target shows rows early) and after each complete copy (so the target
 * drops rows of older versions).
 */
export const fullTableStrategy: SyncStrategy = {
  method: 'FULL_TABLE',
  async syncStreams(plans: readonly StreamPlan[], context: DatabaseContext): Promise<void> {
    for (const plan of plans) await syncTable(plan, context);
  },
};

async function syncTable(plan: StreamPlan, context: DatabaseContext): Promise<void> {
  const { state, writer } = context;
  const log = new StreamLog(plan);
  const columns = await liveColumns(context.client, plan, context.config);
  const firstRun = state.bookmark(plan.tapStreamId)?.version === undefined;
  const version = Date.now();

  await writer.write(schemaMessage(plan.stream, columns.schemaJson, plan.keyProperties, []));
  state.setCurrentlySyncing(plan.tapStreamId);
  state.setBookmark(plan.tapStreamId, { last_replication_method: 'FULL_TABLE', version });
  await state.emit();
  if (firstRun) await writer.write(activateVersionMessage(plan.stream, version));

  const rows = await readRecords(context, plan, columns, { version });

  await writer.write(activateVersionMessage(plan.stream, version));
  state.setCurrentlySyncing(null);
  await state.emit();
  log.finished(rows);
}
