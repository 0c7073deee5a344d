import type { TapConfig } from '../../config/tap-config.js';
import { logger } from '../../log.js';
import type { PgClient } from '../../postgres/connect.js';
import { fetchRowByKey } from '../../postgres/fetch-row.js';
import { startWalStream } from '../../postgres/wal-stream.js';
import type { TextDecode } from '../../postgres/server-encoding.js';
import { walsenderBusy } from '../../postgres/walsender-progress.js';
import { activateVersionMessage } from '../../singer/messages.js';
import type { MessageWriter } from '../../singer/message-writer.js';
import { lsnToBookmark, minLsn, type Lsn } from '../../state/lsn.js';
import { valueConverter } from '../../values/index.js';
import type { StateKeeper } from '../state-keeper.js';
import type { ChangeKind } from '../stream-log.js';
import type { StopSignal } from '../stop-signal.js';
import type { LogStream } from './log-stream.js';
import { decodeWal2Json, type Wal2JsonMessage } from './wal2json-message.js';
import { changeAction, DELETE, INSERT, TableKeyReader, tableKey, UPDATE } from './wal2json-row.js';

/**
 * The change loop of one database: one replication session serves all its LOG_BASED streams.
 * Records are written as changes arrive (one wal2json document per change, so a transaction of
 * any size streams through); bookmarks move only at commits, and STATE follows the records of
 * the commits it covers.
 */
export interface ReadChangesContext {
  config: TapConfig;
  database: string;
  client: PgClient;
  writer: MessageWriter;
  state: StateKeeper;
  stop: StopSignal;
  slot: string;
  endLsn: Lsn | null;
  /** Text of the database's encoding (wal2json writes it so) to a string. */
  decode: TextDecode;
}

const STATE_EVERY_MS = 5_000;
/** After this much quiet the server is asked for a keepalive (it says how far it has decoded). */
const KEEPALIVE_REQUEST_MS = 1_000;
const TIMESTAMPTZ = valueConverter({ sqlType: 'timestamp with time zone', typname: 'timestamptz', typtype: 'b', typcategory: 'D', typmod: -1, notNull: true });

export async function readChanges(streams: readonly LogStream[], context: ReadChangesContext): Promise<number> {
  const { config, state, writer } = context;
  // A stream by its table's names exactly as wal2json escapes them (the fast path never unescapes).
  const byTable = new Map(streams.flatMap((stream) => stream.tables.map((table) => [tableKey(table.schema, table.table), stream] as const)));
  const tableKeys = new TableKeyReader(context.decode);
  /** Set while a row is read by key, so the idle check never queues a second query on the client. */
  const fetching = { active: false };
  const log = logger('log-based');
  let changes = 0;
  let sinceState = 0;
  let lastStateAt = Date.now();
  let inTransaction: { commitLsn: Lsn; deletedAt: string } | null = null;
  let lastMessageAt = Date.now();
  /** Counted per message and compared by the watchdog, which is cheaper than a clock read per message. */
  let messagesSeen = 0;
  let messagesAtLastLook = 0;
  let stopReason: string | null = null;
  const startedAt = Date.now();

  const saveBookmarks = (): void => {
    for (const stream of streams) {
      state.setBookmark(stream.plan.tapStreamId, { last_replication_method: 'LOG_BASED', version: stream.version, lsn: lsnToBookmark(stream.lsn) });
    }
  };
  const emitState = async (): Promise<void> => {
    saveBookmarks();
    await state.emit();
    sinceState = 0;
    lastStateAt = Date.now();
  };

  /**
   * Runs synchronously for the common change (an insert, update or delete of a selected table in
   * the usual shape) and returns a promise only when stdout is full; everything else takes the
   * general path below.
   */
  const onMessage = (data: Buffer, start: number): Promise<void> | undefined => {
    messagesSeen++;
    if (stopReason !== null) return undefined;
    const action = changeAction(data, start);
    const txn = inTransaction;
    if (txn !== null && (action === INSERT || action === UPDATE || action === DELETE)) {
      if (tableKeys.read(data, start)) {
        const stream = byTable.get(tableKeys.key);
        if (stream === undefined || txn.commitLsn < stream.lsn) return undefined;
        if (stream.writeFast(data, tableKeys.next, action, txn.deletedAt, writer)) {
          changes++;
          sinceState++;
          stream.log.wrote(1, 0, action === INSERT ? 'inserts' : action === UPDATE ? 'updates' : 'deletes');
          return writer.backpressure;
        }
      }
    }
    // Decoded now: the message's bytes belong to the connection once this call returns.
    return onOtherMessage(context.decode(data, start, data.length));
  };

  const onOtherMessage = async (text: string): Promise<void> => {
    const message = decodeWal2Json(text);
    if (message.action === 'B') {
      inTransaction = { commitLsn: message.commitLsn, deletedAt: JSON.parse(TIMESTAMPTZ(message.timestamp)) as string };
      const now = new Date();
      for (const stream of streams) stream.formatter.setTimeExtracted(now);
      return;
    }
    if (message.action === 'C') {
      inTransaction = null;
      // A bookmark B means: every transaction committed before B is downstream.
      for (const stream of streams) if (message.commitLsn >= stream.lsn) stream.lsn = message.commitLsn + 1n;
      if (sinceState >= config.stateIntervalRows || (sinceState > 0 && Date.now() - lastStateAt >= STATE_EVERY_MS)) await emitState();
      // A committed transaction goes downstream now, not when 64 KB have piled up.
      await writer.flush();
      if (context.endLsn !== null && message.endLsn >= context.endLsn) stopReason = 'reached the WAL end captured at start (break_at_end_lsn)';
      return;
    }
    if (message.action === 'M' || inTransaction === null) return;
    const stream = byTable.get(tableKey(message.schema, message.table));
    const txn: { commitLsn: Lsn; deletedAt: string } = inTransaction;
    if (stream === undefined || txn.commitLsn < stream.lsn) return;
    const written = await applyChange(stream, message, txn.deletedAt, context, fetching);
    changes += written;
    sinceState += written;
  };

  const confirmLsn = minLsn(streams.filter((stream) => stream.lsnFromInput).map((stream) => stream.lsn));
  const startLsn = minLsn(streams.map((stream) => stream.lsn)) ?? 0n;
  const read = async (numbersAsStrings: boolean): Promise<void> => {
    const wal = await startWalStream(config, context.database, {
      slot: context.slot,
      startLsn,
      confirmLsn,
      pluginOptions: wal2jsonOptions(streams, numbersAsStrings),
      onMessage,
      onKeepalive: (walEnd, drained) => {
        log.debug({ walEnd: walEnd.toString(), drained }, 'keepalive');
        if (!drained || inTransaction !== null) return;
        // Everything committed before walEnd has been decoded, sent and handled: bookmarks may move
        // past WAL this database never touched, so a quiet database's slot does not pin WAL.
        for (const stream of streams) if (walEnd > stream.lsn) stream.lsn = walEnd;
        if (context.endLsn !== null && walEnd >= context.endLsn) stopReason ??= 'caught up with the WAL end captured at start (break_at_end_lsn)';
      },
    });
    // Quiet is not idle while the server is still decoding (a large transaction of any table sends
    // nothing until its end): while quiet, the walsender is looked at twice a second, and idle
    // means it was waiting for WAL in two looks in a row.
    let sampling = false;
    let stillSamples = 0;
    let lastSample = 0;
    let lastKeepaliveRequest = 0;
    const watchdog = setInterval(() => {
      const now = Date.now();
      if (stopReason === null && context.stop.requested) stopReason = `stop requested (${context.stop.reason ?? 'signal'})`;
      if (stopReason === null && now - startedAt >= config.maxRunSeconds * 1000) stopReason = `ran for ${config.maxRunSeconds} s (max_run_seconds)`;
      if (messagesSeen !== messagesAtLastLook) {
        messagesAtLastLook = messagesSeen;
        lastMessageAt = now;
      }
      const quietFor = now - lastMessageAt;
      if (quietFor < 500) stillSamples = 0;
      // Quiet: ask where the server is, so a run that has read everything sees it within a second
      // instead of at the server's next unprompted keepalive. Inside a transaction the answer moves
      // no bookmark, but bytes arriving still wake a read that waits on the socket (a TLS socket
      // once held records it had read until the server's own keepalive came, 30 s later).
      if (quietFor >= KEEPALIVE_REQUEST_MS && now - lastKeepaliveRequest >= KEEPALIVE_REQUEST_MS) {
        lastKeepaliveRequest = now;
        wal.requestKeepalive();
      }
      if (!sampling && !fetching.active && quietFor >= 500 && now - lastSample >= 500) {
        sampling = true;
        lastSample = now;
        walsenderBusy(context.client, context.slot).then((busy) => {
          log.trace({ busy, stillSamples }, 'walsender activity');
          if (busy) {
            lastMessageAt = Date.now();
            stillSamples = 0;
          } else {
            stillSamples++;
          }
        }, () => {
          stillSamples++;
        }).finally(() => {
          sampling = false;
        });
      }
      if (stopReason === null && inTransaction === null && quietFor >= config.logicalPollTotalSeconds * 1000 && stillSamples >= 2) {
        stopReason = `no new change for ${config.logicalPollTotalSeconds} s (logical_poll_total_seconds)`;
      }
      if (stopReason !== null) void wal.stop();
    }, 100);
    try {
      await wal.done;
    } finally {
      clearInterval(watchdog);
      await wal.stop();
    }
  };
  try {
    await read(true);
  } catch (error) {
    // wal2json before 2.6 does not know numeric-data-types-as-string; numbers stay exact anyway.
    if (!/numeric-data-types-as-string.*unknown/.test((error as Error).message)) throw error;
    log.warn('wal2json on this server is older than 2.6: numeric and float NaN/Infinity arrive as null in changes (upgrade wal2json to keep them)');
    lastMessageAt = Date.now();
    await read(false);
  }
  log.info({ database: context.database, changes, reason: stopReason }, `log-based read of ${context.database} stopped after ${changes} changes: ${stopReason ?? 'stream ended'}`);
  await emitState();
  // Every line is written, so every stream's byte count is complete before it is logged.
  await writer.flush();
  return changes;
}

/** Writes the RECORD lines of one change; returns how many. */
async function applyChange(stream: LogStream, message: Wal2JsonMessage, deletedAt: string, context: ReadChangesContext, fetching: { active: boolean }): Promise<number> {
  const { writer } = context;
  if (message.action === 'T') {
    stream.newVersion(Date.now());
    logger('log-based').warn({ tap_stream_id: stream.plan.tapStreamId }, `table ${stream.tableKey} was truncated: starting table version ${stream.version}; the target drops rows of older versions`);
    await writer.write(activateVersionMessage(stream.plan.stream, stream.version));
    return 0;
  }
  if (message.action !== 'I' && message.action !== 'U' && message.action !== 'D') return 0;
  const write = async (text: string, kind: ChangeKind): Promise<void> => {
    await writer.write(text);
    stream.log.wrote(1, Buffer.byteLength(text), kind);
  };
  if (message.action === 'D') {
    await write(stream.formatter.delete(message.identity, deletedAt), 'deletes');
    return 1;
  }
  let lines = 0;
  const kind: ChangeKind = message.action === 'I' ? 'inserts' : 'updates';
  if (message.action === 'U' && stream.formatter.keyChanged(message.columns, message.identity)) {
    await write(stream.formatter.delete(message.identity, deletedAt), 'deletes');
    lines++;
  }
  const { line, missing } = stream.formatter.upsert(message.columns);
  if (missing.length === 0 || message.action === 'I') {
    await write(line, kind);
    return lines + 1;
  }
  // wal2json leaves out unchanged TOASTed values. Under REPLICA IDENTITY FULL the old row carries
  // them; otherwise read the row's current values by key rather than send nulls.
  const identity = new Map(message.identity.map((column) => [column.name, column.text]));
  if (missing.every((name) => identity.has(name))) {
    const merged = new Map(identity);
    for (const column of message.columns) merged.set(column.name, column.text);
    await write(stream.formatter.upsertWith(merged), kind);
    return lines + 1;
  }
  fetching.active = true;
  const current = await fetchRowByKey(context.client, stream.rowTarget, message.columns).finally(() => {
    fetching.active = false;
  });
  if (current === null) {
    // The row is gone now, so a later DELETE (or TRUNCATE) in the WAL removes it downstream.
    logger('log-based').debug({ tap_stream_id: stream.plan.tapStreamId, columns: missing }, 'update with unchanged TOAST values of a row deleted since: skipped');
    return lines;
  }
  const merged = new Map(current);
  for (const column of message.columns) merged.set(column.name, column.text);
  await write(stream.formatter.upsertWith(merged), kind);
  return lines + 1;
}

function wal2jsonOptions(streams: readonly LogStream[], numbersAsStrings: boolean): Record<string, string> {
  // add-tables splits on ',', '.' and spaces and treats '*' as a wildcard: escape every
  // character that is not a plain identifier character (wal2json drops any backslash).
  const escape = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '\\$&');
  return {
    'format-version': '2',
    'include-transaction': 'true',
    'include-timestamp': 'true',
    'include-lsn': 'true',
    // Types come from the live columns: leaving them out makes every document smaller on both ends.
    'include-types': 'false',
    ...(numbersAsStrings ? { 'numeric-data-types-as-string': 'true' } : {}),
    'add-tables': streams.flatMap((stream) => stream.tables.map((table) => `${escape(table.schema)}.${escape(table.table)}`)).join(','),
  };
}
