/**
 * A logical replication connection (`replication=database`) whose few streaming-protocol messages
 * are ours: START_REPLICATION, the CopyData the server sends, the Standby Status Updates we send.
 * node-postgres still does what it does well (authentication, TLS, the SSH tunnel's socket). From
 * its Connection we use exactly what pg-copy-streams uses too: the 'copyData' and
 * 'replicationStart' events of pg-protocol's parser, `sendCopyFromChunk` and `stream`.
 * `protocolShapeProblem` names what is missing if a pg release changes that, and a unit test runs it.
 */
import pg from 'pg';
import type { GatedSocket } from './socket-gate.js';

/** The part of pg's Connection the streaming protocol needs. */
export interface ProtocolConnection {
  on(event: 'copyData', listener: (message: { chunk: Buffer }) => void): unknown;
  once(event: 'replicationStart', listener: () => void): unknown;
  removeAllListeners(event: 'copyData'): unknown;
  sendCopyFromChunk(chunk: Buffer): void;
  readonly stream: GatedSocket & { destroy(): void };
}

/** What is missing from pg's Connection for the streaming protocol, or null when all is there. */
export function protocolShapeProblem(connection: unknown): string | null {
  const candidate = connection as Partial<Record<string, unknown>> | null | undefined;
  if (candidate === null || candidate === undefined) return 'pg.Client has no connection';
  for (const method of ['on', 'once', 'removeAllListeners', 'sendCopyFromChunk']) {
    if (typeof candidate[method] !== 'function') return `pg's Connection has no ${method}()`;
  }
  if (typeof candidate.stream !== 'object' || candidate.stream === null) return "pg's Connection has no stream";
  return null;
}

export interface ReplicationSession {
  readonly connection: ProtocolConnection;
  /** Settles when the server ends the stream (or the connection closes); rejects with the server's error. */
  readonly streaming: Promise<void>;
  /** Ends the connection; the streaming promise then settles. */
  end(): Promise<void>;
}

/**
 * Connects with `replication=database`, then sends `START_REPLICATION SLOT … LOGICAL lsn (options)`.
 * `onStart` runs when the server answers with CopyBothResponse, before any CopyData is handed to
 * `onCopyData`; `onError` gets errors of the connection itself (a socket that breaks).
 */
export async function startReplication(
  options: pg.ClientConfig,
  slot: string,
  startLsn: string,
  pluginOptions: Readonly<Record<string, string>>,
  handlers: { onStart: (connection: ProtocolConnection) => void; onCopyData: (chunk: Buffer) => void; onError: (error: unknown) => void },
): Promise<ReplicationSession> {
  const client = new pg.Client({ ...options, replication: 'database' } as pg.ClientConfig);
  client.on('error', handlers.onError);
  await client.connect();
  const connection = client.connection as unknown;
  const problem = protocolShapeProblem(connection);
  if (problem !== null) {
    await client.end().catch(() => undefined);
    throw new Error(`this version of pg cannot stream replication: ${problem}`);
  }
  const protocol = connection as ProtocolConnection;
  // pg's own copyData listener hands CopyData to the active query, which ignores it: ours reads it.
  protocol.removeAllListeners('copyData');
  protocol.on('copyData', (message) => handlers.onCopyData(message.chunk));
  protocol.once('replicationStart', () => handlers.onStart(protocol));
  const streaming = client.query(startReplicationSql(slot, startLsn, pluginOptions)).then(() => undefined);
  return {
    connection: protocol,
    streaming,
    end: () => client.end(),
  };
}

/** Identifiers quoted, option values as string literals (the grammar takes no parameters). */
export function startReplicationSql(slot: string, startLsn: string, pluginOptions: Readonly<Record<string, string>>): string {
  const options = Object.entries(pluginOptions).map(([key, value]) => `"${key.replace(/"/g, '""')}" '${value.replace(/'/g, "''")}'`);
  return `START_REPLICATION SLOT "${slot.replace(/"/g, '""')}" LOGICAL ${startLsn}${options.length === 0 ? '' : ` (${options.join(', ')})`}`;
}
