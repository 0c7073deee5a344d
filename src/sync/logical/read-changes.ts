/**
 * One database's replication session, driven for the change reader: starts the session at the
 * streams' smallest position (confirming only what the input state justifies), hands every
 * message and keepalive to the reader in order, and asks the reader to stop on a signal, after
 * max_run_seconds, or when the server has been idle for logical_poll_total_seconds. The reader
 * decides; this file only asks, and asks the server for keepalives while quiet.
 */
import type { TapConfig } from '../../config/tap-config.js';
import { logger } from '../../log.js';
import type { PgClient } from '../../postgres/connection/connect.js';
import type { TextDecode } from '../../postgres/catalog/server-encoding.js';
import { startWalStream, type WalStream } from '../../postgres/replication/wal-stream.js';
import { walsenderBusy } from '../../postgres/replication/walsender-progress.js';
import type { MessageWriter } from '../../singer/message-writer.js';
import { Lsn } from '../../state/lsn.js';
import type { StateKeeper } from '../state-keeper.js';
import type { StopSignal } from '../stop-signal.js';
import { ChangeReader } from './change-reader.js';
import type { LogStream } from './log-stream.js';
import type { ChangeDecoder } from './change-decoder.js';
import { PgoutputDecoder } from './pgoutput-decoder.js';
import { Wal2JsonDecoder } from './wal2json-decoder.js';

export interface ReadChangesContext {
  config: TapConfig;
  database: string;
  client: PgClient;
  writer: MessageWriter;
  state: StateKeeper;
  stop: StopSignal;
  slot: string;
  /** The slot's output plugin: it decides the decoder. */
  plugin: string;
  /** pgoutput: the publication read. */
  publication: string;
  endLsn: Lsn | null;
  /** Text of the database's encoding (wal2json writes it so) to a string. */
  decode: TextDecode;
}

/** After this much quiet the server is asked for a keepalive (it says how far it has decoded). */
const KEEPALIVE_REQUEST_MS = 1_000;
const WATCH_EVERY_MS = 100;

export async function readChanges(streams: readonly LogStream[], context: ReadChangesContext): Promise<number> {
  const { config } = context;
  const writing = { config, client: context.client, writer: context.writer };
  const decoder: ChangeDecoder = context.plugin === 'pgoutput' ? new PgoutputDecoder(streams, writing, context.publication) : new Wal2JsonDecoder(streams, { ...writing, decode: context.decode });
  let wal: WalStream | null = null;
  const reader = new ChangeReader(streams, decoder, {
    writer: context.writer,
    state: context.state,
    stateIntervalRows: config.stateIntervalRows,
    endLsn: context.endLsn,
    onStop: () => void wal?.stop(),
  });
  // Only positions the input state holds may be confirmed (what the target committed).
  const confirmLsn = Lsn.min(streams.filter((stream) => stream.lsnFromInput).map((stream) => stream.lsn));
  const startLsn = Lsn.min(streams.map((stream) => stream.lsn)) ?? Lsn.ZERO;
  try {
    for (;;) {
      try {
        wal = await startWalStream(config, context.database, {
          slot: context.slot,
          startLsn,
          confirmLsn,
          pluginOptions: decoder.options(),
          onMessage: (data, start) => reader.message(data, start),
          onKeepalive: (walEnd, drained) => reader.keepalive(walEnd, drained),
        });
        await watch(wal, reader, decoder, context);
        break;
      } catch (error) {
        if (reader.messages > 0 || !decoder.fallBack(error)) throw error;
      }
    }
  } catch (error) {
    // What was written is still covered by a STATE, so a retry re-sends as little as possible.
    await reader.finish().catch(() => undefined);
    throw error;
  }
  logger('log-based').info({ database: context.database, changes: reader.changes, reason: reader.stopReason }, `log-based read of ${context.database} stopped after ${reader.changes} changes: ${reader.stopReason ?? 'stream ended'}`);
  await reader.finish();
  return reader.changes;
}

/**
 * Until the session ends: stop requests to the reader, keepalive requests to the server. Quiet is
 * not idle while the server is still decoding (a large transaction of any table sends nothing
 * until its end): while quiet the walsender is looked at twice a second, and idle means it was
 * waiting for WAL in two looks in a row.
 */
async function watch(wal: WalStream, reader: ChangeReader, decoder: ChangeDecoder, context: ReadChangesContext): Promise<void> {
  const { config } = context;
  const log = logger('log-based');
  const startedAt = Date.now();
  let lastMessageAt = startedAt;
  let messagesAtLastLook = reader.messages;
  let sampling = false;
  let stillSamples = 0;
  let lastSample = 0;
  let lastKeepaliveRequest = 0;
  const watchdog = setInterval(() => {
    const now = Date.now();
    if (context.stop.requested) reader.stop(`stop requested (${context.stop.reason ?? 'signal'})`);
    if (now - startedAt >= config.maxRunSeconds * 1000) reader.stop(`ran for ${config.maxRunSeconds} s (max_run_seconds)`);
    if (reader.messages !== messagesAtLastLook) {
      messagesAtLastLook = reader.messages;
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
    if (!sampling && !decoder.querying && quietFor >= 500 && now - lastSample >= 500) {
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
    if (reader.transaction === null && quietFor >= config.logicalPollTotalSeconds * 1000 && stillSamples >= 2) {
      reader.stop(`no new change for ${config.logicalPollTotalSeconds} s (logical_poll_total_seconds)`);
    }
    if (reader.phase !== 'reading') void wal.stop();
  }, WATCH_EVERY_MS);
  try {
    await wal.done;
  } finally {
    clearInterval(watchdog);
    await wal.stop();
  }
}
