/**
 * A temporary logical slot created only to export a snapshot: copying tables inside that
 * snapshot and streaming changes committed after its consistent point meet exactly, with no
 * change lost or applied twice. The slot (and the snapshot) live until `release()`.
 */
import pg from 'pg';
import type { TapConfig } from '../../config/tap-config.js';
import { Lsn } from '../../state/lsn.js';
import { connectionOptions, type PgClient } from '../connection/connect.js';
import { replicationError } from './replication-errors.js';

export interface ExportedSnapshot {
  readonly snapshotName: string;
  readonly consistentPoint: Lsn;
  release(): Promise<void>;
}

export async function exportSnapshot(config: TapConfig, database: string): Promise<ExportedSnapshot> {
  const client = new pg.Client({ ...(await connectionOptions(config, database)), replication: 'database' } as pg.ClientConfig);
  const name = `tap_postgres_snapshot_${process.pid}_${Date.now()}`;
  try {
    await client.connect();
    // pgoutput ships with every server and is always allowed: this slot is never read from.
    const { rows } = await client.query<{ consistent_point: string; snapshot_name: string }>(`CREATE_REPLICATION_SLOT "${name}" TEMPORARY LOGICAL pgoutput EXPORT_SNAPSHOT`);
    const row = rows[0] as { consistent_point: string; snapshot_name: string };
    return {
      snapshotName: row.snapshot_name,
      consistentPoint: Lsn.parse(row.consistent_point),
      release: async () => {
        await client.end().catch(() => undefined);
      },
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw replicationError(error, name, config.user);
  }
}

/** Runs `work` in a REPEATABLE READ transaction that sees exactly the exported snapshot. */
export async function inSnapshot<T>(client: PgClient, snapshotName: string, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query(`SET TRANSACTION SNAPSHOT '${snapshotName.replace(/'/g, "''")}'`);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
