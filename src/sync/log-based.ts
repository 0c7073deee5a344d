/**
 * LOG_BASED: a stream's first sync is a copy inside a snapshot exported by a temporary slot,
 * whose consistent point becomes its bookmark, so copy and change stream meet exactly; after
 * that, one replication session per database reads the changes of all its LOG_BASED streams.
 */
import { slotNameFor } from '../config/slot-name.js';
import { logger } from '../log.js';
import { exportSnapshot, inSnapshot } from '../postgres/replication/snapshot-slot.js';
import { quoteQualified } from '../postgres/quote.js';
import { replicationShape } from '../postgres/catalog/replica-identity.js';
import { checkPublication } from '../postgres/replication/publication.js';
import { checkPrimary, checkWalLevel, currentWalLsn, findSlot, type SlotInfo } from '../postgres/replication/replication-setup.js';
import { decodeUtf8, serverEncoding, textDecode } from '../postgres/catalog/server-encoding.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import { activateVersionMessage, schemaMessage } from '../singer/messages.js';
import { Lsn } from '../state/lsn.js';
import { liveColumns } from './live-columns.js';
import { DELETED_AT_PROPERTY } from './logical/change-formatter.js';
import { checkInputPositions } from './logical/input-positions.js';
import { LogStream } from './logical/log-stream.js';
import { readChanges } from './logical/read-changes.js';
import { readRecords } from './read-records.js';
import { startingBookmark } from './starting-bookmark.js';
import { StateCadence } from './state-cadence.js';
import { StreamLog } from '../report/stream-log.js';
import type { DatabaseContext, SyncStrategy } from './sync-strategy.js';

const RETAINED_WAL_WARNING_BYTES = 1024 ** 3;

export const logBasedStrategy: SyncStrategy = {
  async syncStreams(plans: readonly StreamPlan[], context: DatabaseContext): Promise<void> {
    const { client, config, database } = context;
    await checkWalLevel(client);
    await checkPrimary(client);
    const slot = await findSlot(client, database, slotNameFor(config, database));
    warnAboutRetainedWal(slot);
    // wal2json writes text in the database's encoding; pgoutput converts it to the session's (UTF-8).
    const encoding = slot.plugin === 'wal2json' ? await serverEncoding(client) : 'UTF8';
    const decode = textDecode(encoding);
    if (decode === null) logger('log-based').warn({ database, encoding }, `database ${database} is in ${encoding}, which this Node cannot decode: its text in changes is read as UTF-8`);
    const text = { decode: decode ?? decodeUtf8, utf8: decode === decodeUtf8 };
    const streams: LogStream[] = [];
    for (const plan of plans) {
      const columns = await liveColumns(client, plan, config, { extraProperties: DELETED_AT_PROPERTY });
      const bookmark = startingBookmark(plan, context.state);
      const lsn = Lsn.fromBookmark(bookmark?.lsn);
      const version = typeof bookmark?.version === 'number' ? bookmark.version : Date.now();
      const log = new StreamLog(plan, context.report, bookmark, columns.rowEstimate);
      const stream = new LogStream(plan, columns, version, lsn ?? Lsn.ZERO, lsn !== null, log, text);
      await describeTable(stream, context);
      streams.push(stream);
    }
    const publication = config.publicationName ?? slot.slotName;
    if (slot.plugin === 'pgoutput') await checkPublication(client, database, publication, streams.map((stream) => ({ schema: stream.plan.schema, table: stream.plan.table, partitions: stream.partitioned ? stream.tables : [] })));
    const walEnd = Lsn.parse(await currentWalLsn(client));
    checkInputPositions(streams, { slotName: slot.slotName, confirmedFlush: slot.confirmedFlushLsn === null ? null : Lsn.parse(slot.confirmedFlushLsn), walEnd }, context.acceptLsnGap);
    // Every check passed: the streams begin.
    for (const stream of streams) await context.writer.write(schemaMessage(stream.plan.stream, stream.columns.schemaJson, stream.plan.keyProperties, []));
    const toCopy = streams.filter((stream) => !stream.lsnFromInput);
    if (toCopy.length > 0) await copyInSnapshot(toCopy, context);
    if (context.stop.requested) return finish(streams, context);
    const endLsn = config.breakAtEndLsn ? Lsn.parse(await currentWalLsn(client)) : null;
    context.state.setCurrentlySyncing(null);
    // SCHEMA and copy messages go downstream before the wait for changes begins.
    await context.writer.flush();
    const started = Date.now();
    const changes = await readChanges(streams, { config, database, client, writer: context.writer, state: context.state, stop: context.stop, slot: slot.slotName, plugin: slot.plugin, publication, endLsn, decode: text.decode });
    logger('sync').info({ database, changes, ms: Date.now() - started }, `log-based streams of ${database}: ${changes} change records`);
    finish(streams, context);
  },
};

function finish(streams: readonly LogStream[], context: DatabaseContext): void {
  for (const stream of streams) {
    stream.log.bookmark(context.state.bookmark(stream.plan.tapStreamId));
    stream.log.finished(context.stop.requested ? 'interrupted' : 'complete');
  }
}

/** The first sync of streams without an lsn: full copies that all see one exported snapshot. */
async function copyInSnapshot(streams: readonly LogStream[], context: DatabaseContext): Promise<void> {
  const { state, writer } = context;
  const snapshot = await exportSnapshot(context.config, context.database);
  try {
    for (const stream of streams) {
      if (context.stop.requested) return;
      const version = Date.now();
      stream.newVersion(version);
      state.setCurrentlySyncing(stream.plan.tapStreamId);
      state.setBookmark(stream.plan.tapStreamId, { last_replication_method: 'LOG_BASED', version });
      await state.emit();
      await writer.write(activateVersionMessage(stream.plan.stream, version));
      // STATE during the copy keeps its cadence; it carries no lsn yet (an interrupted copy starts again).
      const read = await inSnapshot(context.client, snapshot.snapshotName, () => readRecords(context, stream.plan, stream.columns, {
        version,
        log: stream.log,
        cadence: new StateCadence(context.config.stateIntervalRows),
        // The copy's STATE has no row bookmark: no row is read back as text.
        rowColumns: [],
        checkpoint: () => state.emit(),
      }));
      // An interrupted copy keeps no lsn: the next run copies the stream again.
      if (read.stopped) return;
      await writer.write(activateVersionMessage(stream.plan.stream, version));
      stream.copiedUpTo(snapshot.consistentPoint);
      state.setBookmark(stream.plan.tapStreamId, { last_replication_method: 'LOG_BASED', version, lsn: Lsn.toBookmark(stream.lsn) });
      state.setCurrentlySyncing(null);
      await state.emit();
    }
  } finally {
    await snapshot.release();
  }
}

/** Partitions to follow, and a warning when updates and deletes cannot be identified. */
async function describeTable(stream: LogStream, context: DatabaseContext): Promise<void> {
  const { plan } = stream;
  const shape = await replicationShape(context.client, plan.schema, plan.table);
  if (shape.leaves.length > 0) stream.tables = shape.leaves;
  const log = logger('log-based');
  if (!shape.updatesIdentified) {
    log.warn({ tap_stream_id: plan.tapStreamId, replica_identity: shape.identity }, `table ${plan.schema}.${plan.table} has no primary key or replica identity: wal2json does not send its updates and deletes, only inserts. Add a primary key, or run ALTER TABLE ${quoteQualified(plan.schema, plan.table)} REPLICA IDENTITY FULL;`);
  } else if (plan.keyProperties.length === 0) {
    log.warn({ tap_stream_id: plan.tapStreamId }, `table ${plan.schema}.${plan.table} has no primary key: its updates and deletes cannot be matched to rows downstream (add a primary key)`);
  }
}

function warnAboutRetainedWal(slot: SlotInfo): void {
  const retained = Number(slot.retainedBytes ?? 0);
  if (slot.walStatus === 'unreserved' || retained >= RETAINED_WAL_WARNING_BYTES) {
    logger('log-based').warn(
      { slot: slot.slotName, wal_status: slot.walStatus, retained_bytes: retained, safe_wal_size: slot.safeWalSize },
      `replication slot ${slot.slotName} retains ${(retained / 1024 ** 2).toFixed(0)} MB of WAL (wal_status ${slot.walStatus ?? 'unknown'}); run the tap more often or the server may invalidate the slot`,
    );
  }
}
