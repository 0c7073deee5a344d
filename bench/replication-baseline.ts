// The walsender's own pace: a replication client that only counts wal2json changes, to set next to
// the tap's stream-only rate (what is left is the tap's own work per change).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';

export interface BaselineTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  slot: string;
  /** wal2json options as the tap sends them (without numeric-data-types-as-string, unknown before 2.6). */
  options: Record<string, string>;
}

/** Milliseconds from connecting to the `changes`-th insert, update or delete. */
export async function countChangesRaw(target: BaselineTarget, changes: number): Promise<number> {
  const client = new pg.Client({ host: target.host, port: target.port, user: target.user, password: target.password, database: target.database, replication: 'database' } as pg.ClientConfig);
  client.on('error', () => undefined);
  const started = process.hrtime.bigint();
  await client.connect();
  const options = Object.entries(target.options).map(([k, v]) => `"${k}" '${v}'`).join(', ');
  try {
    await new Promise<void>((resolve, reject) => {
      let seen = 0;
      const connection = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
      connection.on('copyData', (message: { chunk: Buffer }) => {
        const chunk = message.chunk;
        // XLogData ('w'): 25 header bytes, then {"action":"X"...
        if (chunk[0] !== 0x77) return;
        const action = chunk[25 + 11];
        if ((action === 0x49 || action === 0x55 || action === 0x44) && ++seen === changes) resolve();
      });
      client.query(`START_REPLICATION SLOT "${target.slot}" LOGICAL 0/0 (${options})`).catch(reject);
    });
    return Number(process.hrtime.bigint() - started) / 1e6;
  } finally {
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }
}

/**
 * PostgreSQL's own C client, pg_recvlogical, reading the same changes to /dev/null up to `endLsn`
 * on a copy of the slot (it confirms what it wrote, which must not move the bench's slot). The
 * streaming protocol's ceiling on this machine with a client that costs almost nothing.
 */
export function recvlogicalMs(binDir: string, target: BaselineTarget, endLsn: string, copySlot: string): number {
  const args = ['-h', target.host, '-p', String(target.port), '-U', target.user, '-d', target.database, '-S', copySlot, '--start', '--no-loop', '-E', endLsn, '-f', '/dev/null'];
  for (const [key, value] of Object.entries(target.options)) args.push('-o', `${key}=${value}`);
  const started = process.hrtime.bigint();
  const run = spawnSync(join(binDir, 'pg_recvlogical'), args, { encoding: 'utf8', env: { ...process.env, PGPASSWORD: target.password ?? '' } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`pg_recvlogical failed: ${run.stderr}`);
  return ms;
}
