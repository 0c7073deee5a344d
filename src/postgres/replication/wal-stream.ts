/**
 * One replication session on one slot: START_REPLICATION with wal2json options, every message
 * handed over as bytes in order. Messages are handled as they are read, or queued into a small bounded
 * queue (read-ahead-queue.ts), handled in time slices with the socket read between them; when the
 * handler returns a promise (stdout full, a row to read by key) the queue waits, and the socket
 * pauses once the queue is full. The only position ever confirmed to the server is
 * `confirmLsn`, fixed at start: what the target already committed, never what this run merely read.
 */
import type { TapConfig } from '../../config/tap-config.js';
import { logger } from '../../log.js';
import { Lsn } from '../../state/lsn.js';
import { connectionOptions } from '../connection/connect.js';
import { replicationError } from './replication-errors.js';
import { ReadAheadQueue } from './read-ahead-queue.js';
import { startReplication, type ProtocolConnection, type ReplicationSession } from './replication-connection.js';
import { SocketGate } from './socket-gate.js';
import { standbyStatusUpdate } from './standby-status.js';

export interface WalStreamOptions {
  slot: string;
  startLsn: Lsn;
  /** A bookmark: every transaction committed before it is downstream (null: confirm nothing). */
  confirmLsn: Lsn | null;
  pluginOptions: Readonly<Record<string, string>>;
  /**
   * The plugin's output is data[start..], valid only during the call (the connection reuses its
   * buffer). Return a promise to hold later messages until it settles; undefined to go straight on.
   */
  onMessage: (data: Buffer, start: number) => Promise<void> | undefined;
  /**
   * Server keepalives report how far the server has decoded; `drained` says whether every
   * message received before it has been handled, so the caller may decide it is caught up.
   */
  onKeepalive: (walEnd: Lsn, drained: boolean) => void;
}

export interface WalStream {
  /** Resolves when the stream ended (after stop(), or 15 s after it if the session hangs in closing); rejects with a TapError on failure. */
  readonly done: Promise<void>;
  /** Asks the server for a keepalive now (it otherwise sends one only every wal_sender_timeout / 2). */
  requestKeepalive(): void;
  stop(): Promise<void>;
}

const XLOG_DATA = 0x77; // 'w'
const PRIMARY_KEEPALIVE = 0x6b; // 'k'
/** 'w', the start and end LSN of the data and the server's clock: then the plugin's output. */
const XLOG_DATA_HEADER = 25;
/** Read ahead at most 2 MB of wal2json documents (some 3,500 changes of a typical table) while the handler waits. */
const READ_AHEAD_BYTES = 2 * 1024 * 1024;
const STOP_DEADLINE_MS = 15_000;

export async function startWalStream(config: TapConfig, database: string, options: WalStreamOptions): Promise<WalStream> {
  let session: ReplicationSession | null = null;
  /** Set when the server has answered START_REPLICATION: status updates go through it. */
  let streaming: ProtocolConnection | null = null;
  let failure: unknown = null;
  let stopping = false;
  /**
   * The input state's position is confirmed once, when streaming starts: it cannot change during
   * a run, since only the target knows what it committed. Every later status update (keepalive
   * replies and requests) carries 0/0, which the server takes as nothing to confirm.
   */
  const sendStatus = (confirm: boolean, replyRequested: boolean): void => {
    if (stopping) return;
    streaming?.sendCopyFromChunk(standbyStatusUpdate(confirm ? options.confirmLsn : null, Date.now(), replyRequested));
  };
  const fail = (error: unknown): void => {
    failure ??= error;
    void stop();
  };
  const gate = new SocketGate();
  const queue = new ReadAheadQueue({
    handle: options.onMessage,
    pause: () => gate.setQueueFull(true),
    resume: () => gate.setQueueFull(false),
    fail,
    highWaterBytes: READ_AHEAD_BYTES,
    sliceMs: 2,
  });

  /** Only the two message kinds of the streaming protocol exist: XLogData and Primary keepalive. */
  const onCopyData = (chunk: Buffer): void => {
    if (stopping) return;
    if (chunk[0] === XLOG_DATA) {
      queue.push(chunk, XLOG_DATA_HEADER);
    } else if (chunk[0] === PRIMARY_KEEPALIVE) {
      // walEnd (8 bytes), the server's clock (8), then whether it wants a reply now.
      options.onKeepalive(Lsn.of(chunk.readBigUInt64BE(1)), queue.drained);
      if (chunk[17] === 1) sendStatus(false, false);
    }
  };
  /**
   * A session asked to stop that has not closed after STOP_DEADLINE_MS is left behind: what was
   * handled is written and its bookmarks kept either way, so it must not hold the whole run.
   */
  let leaveBehind = (): void => undefined;
  const leftBehind = new Promise<void>((resolve) => {
    leaveBehind = resolve;
  });
  let deadline: NodeJS.Timeout | undefined;
  const stop = async (): Promise<void> => {
    stopping = true;
    queue.close();
    gate.close();
    deadline ??= setTimeout(() => {
      logger('postgres').warn({ database }, `the replication session of ${database} did not end within ${STOP_DEADLINE_MS / 1000} s of stopping; the run goes on without it`);
      leaveBehind();
    }, STOP_DEADLINE_MS).unref();
    await Promise.race([session?.end().catch(() => undefined), leftBehind]);
  };
  try {
    session = await startReplication(await connectionOptions(config, database), options.slot, Lsn.format(options.startLsn), options.pluginOptions, {
      onStart: (connection) => {
        // CopyBothResponse has just arrived, so no CopyData has yet.
        streaming = connection;
        gate.attach(connection.stream);
        sendStatus(true, false);
      },
      onCopyData,
      onError: (error) => {
        if (!stopping) failure ??= error;
      },
    });
  } catch (error) {
    throw replicationError(error, options.slot, config.user);
  }
  const ended = session.streaming.then(
    () => {
      if (failure !== null) throw replicationError(failure, options.slot, config.user);
    },
    (error: unknown) => {
      if (stopping && failure === null) return;
      throw replicationError(failure ?? error, options.slot, config.user);
    },
  );
  const done = Promise.race([ended, leftBehind]).finally(() => clearTimeout(deadline));
  return { done, requestKeepalive: () => sendStatus(false, true), stop };
}
