import type { PgClient } from '../connection/connect.js';

/** The planner's row estimate of a relation (for progress and ETA), or null when never analyzed. */
export async function rowEstimate(client: PgClient, oid: number): Promise<number | null> {
  const { rows } = await client.query<{ estimate: number }>('SELECT reltuples::float8 AS estimate FROM pg_class WHERE oid = $1::oid', [oid]);
  const estimate = rows[0]?.estimate ?? -1;
  return estimate >= 0 ? Math.round(estimate) : null;
}
