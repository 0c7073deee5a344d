import type pg from 'pg';
import { LogicalReplicationService } from 'pg-logical-replication';
import { AbstractPlugin } from 'pg-logical-replication/dist/output-plugins/abstract.plugin.js';
import type { TapConfig } from '../config/tap-config.js';
import { formatLsn, parseLsn, type Lsn } from '../state/lsn.js';
import { connectionOptions } from './connect.js';
import { replicationError } from './replication-errors.js';

/**
 * One replication session on one slot: START_REPLICATION with wal2json options, every message
 * handed over as raw text (the caller decodes), the socket paused while the handler runs
 * (backpressure). The only position ever confirmed to the server is `confirmLsn`, fixed at start:
 * what the target already committed, never what this run merely read.
 */
export interface WalStreamOptions {
  slot: string;
  startLsn: Lsn;
  /** A bookmark: every transaction committed before it is downstream (null: confirm nothing). */
  confirmLsn: Lsn | null;
  pluginOptions: Readonly<Record<string, string>>;
  onMessage: (text: string) => Promise<void>;
  /**
   * Server keepalives report how far the server has decoded; `drained` says whether every
   * message received before it has been handled, so the caller may decide it is caught up.
   */
  onKeepalive: (walEnd: Lsn, drained: boolean) => void;
}

export interface WalStream {
  /** Resolves when the stream ended (after stop()); rejects with a TapError on failure. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

class RawWal2JsonPlugin extends AbstractPlugin<Readonly<Record<string, string>>> {
  get name(): string {
    return 'wal2json';
  }

  async start(client: pg.Client, slotName: string, lastLsn: string): Promise<unknown> {
    const options = Object.entries(this.options).map(([key, value]) => `"${key}" '${value.replace(/'/g, "''")}'`);
    const sql = `START_REPLICATION SLOT "${slotName.replace(/"/g, '""')}" LOGICAL ${lastLsn} (${options.join(', ')})`;
    return client.query(sql);
  }

  parse(buffer: Buffer): string {
    return buffer.toString('utf8');
  }
}

export async function startWalStream(config: TapConfig, database: string, options: WalStreamOptions): Promise<WalStream> {
  const service = new LogicalReplicationService(await connectionOptions(config, database), {
    // Never acknowledge automatically: that would confirm LSNs only read, not committed downstream.
    acknowledge: { auto: false, timeoutSeconds: 0 },
    flowControl: { enabled: true },
  });
  let failure: unknown = null;
  let stopping = false;
  // The server skips transactions committed before the flushed position, and the library
  // reports "position + 1": hand it confirmLsn - 1 so exactly confirmLsn is flushed.
  const confirm = async (): Promise<void> => {
    if (options.confirmLsn !== null && options.confirmLsn > 0n) await service.acknowledge(formatLsn(options.confirmLsn - 1n));
  };
  service.on('data', async (_lsn: string, text: string) => options.onMessage(text));
  // Keepalives bypass the data queue; peek at it to know whether earlier messages are handled.
  const internals = service as unknown as { _messageQueue: unknown[]; _processing: boolean };
  service.on('heartbeat', async (lsn: string, _timestamp: number, shouldRespond: boolean) => {
    options.onKeepalive(parseLsn(lsn), internals._messageQueue.length === 0 && !internals._processing);
    if (shouldRespond) await confirm();
  });
  service.on('start', () => void confirm());
  service.on('error', (error: unknown) => {
    if (!stopping) failure ??= error;
  });
  const plugin = new RawWal2JsonPlugin(options.pluginOptions);
  const done = service.subscribe(plugin as never, options.slot, formatLsn(options.startLsn)).then(
    () => {
      if (failure !== null) throw replicationError(failure, options.slot, config.user);
    },
    (error: unknown) => {
      if (stopping && failure === null) return;
      throw replicationError(failure ?? error, options.slot, config.user);
    },
  );
  return {
    done,
    async stop(): Promise<void> {
      stopping = true;
      await service.destroy();
    },
  };
}
