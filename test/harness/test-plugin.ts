// The output plugin the LOG_BASED tests read through: TAP_TEST_PLUGIN=pgoutput runs them with
// pgoutput slots and publications, anything else with wal2json (the default). The test runner runs
// the log-based files once per plugin, so each test is written once for both.
export type TestPlugin = 'wal2json' | 'pgoutput';

export const TEST_PLUGIN: TestPlugin = process.env.TAP_TEST_PLUGIN === 'pgoutput' ? 'pgoutput' : 'wal2json';

/**
 * Creates logical slot `slot` with the test plugin; for pgoutput also the publication the tap reads
 * by default (the slot's name), for all tables, partitioned ones through their root.
 */
export async function createSlot(query: (sql: string, params?: unknown[]) => Promise<unknown>, slot: string, plugin: TestPlugin = TEST_PLUGIN): Promise<void> {
  if (plugin === 'pgoutput') {
    await query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = ${literal(slot)}) THEN
        -- publish_via_partition_root exists from PostgreSQL 13; 12 publishes partitions as tables.
        EXECUTE format('CREATE PUBLICATION %I FOR ALL TABLES', ${literal(slot)})
          || CASE WHEN current_setting('server_version_num')::int >= 130000 THEN ' WITH (publish_via_partition_root = true)' ELSE '' END;
      END IF;
    END $$`);
  }
  await query('SELECT pg_create_logical_replication_slot($1, $2)', [slot, plugin]);
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
