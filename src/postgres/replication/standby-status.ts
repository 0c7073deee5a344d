import type { Lsn } from '../../state/lsn.js';

/** Milliseconds from the Unix epoch to PostgreSQL's, 2000-01-01 00:00:00 UTC. */
const POSTGRES_EPOCH_MS = 946_684_800_000;

/**
 * A Standby Status Update ('r') of the streaming replication protocol: written, flushed and
 * applied position, the client's clock, and whether the server should answer with a keepalive
 * at once. A null position is sent as 0/0, which the server takes as "nothing to confirm" (it
 * never moves the slot for it). Pure.
 */
export function standbyStatusUpdate(position: Lsn | null, nowMs: number, replyRequested: boolean): Buffer {
  const message = Buffer.alloc(34);
  const lsn = position ?? 0n;
  message.write('r', 0, 'latin1');
  message.writeBigUInt64BE(lsn, 1);
  message.writeBigUInt64BE(lsn, 9);
  message.writeBigUInt64BE(lsn, 17);
  message.writeBigInt64BE(BigInt(Math.round(nowMs - POSTGRES_EPOCH_MS)) * 1000n, 25);
  message.writeUInt8(replyRequested ? 1 : 0, 33);
  return message;
}
