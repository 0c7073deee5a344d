/**
 * The checks behind `--test`, each one query and one verdict with the exact fix. A check never
 * throws: a failure is a result the report shows.
 */
import { slotNameFor } from '../../config/slot-name.js';
import pg from 'pg';
import type { TapConfig } from '../../config/tap-config.js';
import { connectionOptions, type PgClient } from '../connection/connect.js';
import { replicationError } from '../replication/replication-errors.js';
import { checkPublication, type PublishedTable } from '../replication/publication.js';
import { findSlot } from '../replication/replication-setup.js';
import { quoteIdent } from '../quote.js';

export type CheckStatus = 'pass' | 'fail' | 'warn';

export interface CheckResult {
  database: string;
  check: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

type Check = Omit<CheckResult, 'database'>;

export async function checkSchemaUsage(client: PgClient, schemas: readonly string[], user: string): Promise<Check[]> {
  const { rows } = await client.query<{ schema: string; usable: boolean }>(
    'SELECT s AS schema, has_schema_privilege(s, \'USAGE\') AS usable FROM unnest($1::text[]) s WHERE EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = s)',
    [schemas],
  );
  return rows.map((row) => row.usable
    ? { check: `USAGE on schema ${row.schema}`, status: 'pass', detail: 'granted' }
    : { check: `USAGE on schema ${row.schema}`, status: 'fail', detail: 'not granted', fix: `GRANT USAGE ON SCHEMA ${quoteIdent(row.schema)} TO ${quoteIdent(user)};` });
}

export async function checkSelect(client: PgClient, tables: readonly { schema: string; table: string }[], user: string): Promise<Check[]> {
  const { rows } = await client.query<{ schema: string; table: string; exists: boolean; readable: boolean }>(
    `SELECT t.schema, t.table, c.oid IS NOT NULL AS exists,
            COALESCE(has_any_column_privilege(c.oid, 'SELECT'), false) AS readable
       FROM unnest($1::text[], $2::text[]) AS t(schema, "table")
       LEFT JOIN pg_namespace n ON n.nspname = t.schema
       LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.table`,
    [tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  // Schema USAGE is its own check: a table is reported here only for the SELECT grant itself.
  return rows.map((row): Check => {
    const name = `SELECT on ${row.schema}.${row.table}`;
    if (!row.exists) return { check: name, status: 'fail', detail: 'table does not exist', fix: 'Rerun --discover and update the catalog.' };
    return row.readable ? { check: name, status: 'pass', detail: 'granted' } : { check: name, status: 'fail', detail: 'not granted', fix: `GRANT SELECT ON ${quoteIdent(row.schema)}.${quoteIdent(row.table)} TO ${quoteIdent(user)};` };
  });
}

/** Everything LOG_BASED needs on this database's server, in the order a person fixes it. */
export async function checkLogBased(client: PgClient, config: TapConfig, database: string, tables: readonly PublishedTable[] = []): Promise<Check[]> {
  // The slot's plugin decides what else is needed: wal2json must be allowed; pgoutput needs its publication.
  const plugin = await findSlot(client, database, slotNameFor(config, database)).then((slot) => slot.plugin, () => null);
  const settings = await client.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('wal_level', 'max_replication_slots', 'max_wal_senders', 'output_plugin_libraries')`,
  );
  const setting = (name: string): string | undefined => settings.rows.find((row) => row.name === name)?.setting;
  const checks: Check[] = [];
  const walLevel = setting('wal_level') ?? 'unknown';
  checks.push(walLevel === 'logical'
    ? { check: 'wal_level', status: 'pass', detail: 'logical' }
    : { check: 'wal_level', status: 'fail', detail: walLevel, fix: 'ALTER SYSTEM SET wal_level = logical; -- then restart PostgreSQL' });
  const allowed = setting('output_plugin_libraries');
  if (allowed !== undefined && plugin !== 'pgoutput') {
    const plugins = allowed.split(',').map((name) => name.trim().replace(/^"|"$/g, ''));
    checks.push(plugins.includes('wal2json')
      ? { check: 'wal2json allowed (output_plugin_libraries)', status: 'pass', detail: allowed }
      : { check: 'wal2json allowed (output_plugin_libraries)', status: 'fail', detail: allowed, fix: 'ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, wal2json; SELECT pg_reload_conf();' });
  }
  const role = await client.query<{ ok: boolean }>('SELECT rolreplication OR rolsuper AS ok FROM pg_roles WHERE rolname = current_user');
  checks.push(role.rows[0]?.ok === true
    ? { check: 'REPLICATION privilege', status: 'pass', detail: `${config.user} may replicate` }
    : { check: 'REPLICATION privilege', status: 'fail', detail: `${config.user} lacks REPLICATION`, fix: `ALTER ROLE ${quoteIdent(config.user)} WITH REPLICATION;` });
  const standby = await client.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
  checks.push(standby.rows[0]?.standby === true
    ? { check: 'primary server', status: 'fail', detail: 'this is a standby', fix: 'Point host at the primary for LOG_BASED streams.' }
    : { check: 'primary server', status: 'pass', detail: 'not in recovery' });
  const used = await client.query<{ slots: number; senders: number }>('SELECT (SELECT count(*) FROM pg_replication_slots)::int AS slots, (SELECT count(*) FROM pg_stat_replication)::int AS senders');
  const freeSlots = Number(setting('max_replication_slots') ?? 0) - (used.rows[0]?.slots ?? 0);
  const freeSenders = Number(setting('max_wal_senders') ?? 0) - (used.rows[0]?.senders ?? 0);
  checks.push(freeSlots >= 1
    ? { check: 'free replication slot (for the copy snapshot)', status: 'pass', detail: `${freeSlots} free of max_replication_slots=${setting('max_replication_slots') ?? '?'}` }
    : { check: 'free replication slot (for the copy snapshot)', status: 'fail', detail: 'none free', fix: 'ALTER SYSTEM SET max_replication_slots = 10; -- then restart' });
  checks.push(freeSenders >= 1
    ? { check: 'free WAL sender', status: 'pass', detail: `${freeSenders} free of max_wal_senders=${setting('max_wal_senders') ?? '?'}` }
    : { check: 'free WAL sender', status: 'fail', detail: 'none free', fix: 'ALTER SYSTEM SET max_wal_senders = 10; -- then restart' });
  checks.push(...(await checkSlot(client, config, database, tables)));
  checks.push(await checkReplicationConnection(config, database));
  return checks;
}

async function checkSlot(client: PgClient, config: TapConfig, database: string, tables: readonly PublishedTable[]): Promise<Check[]> {
  try {
    const slot = await findSlot(client, database, slotNameFor(config, database));
    const checks: Check[] = [{ check: 'replication slot', status: 'pass', detail: `${slot.slotName} (${slot.plugin}, wal_status ${slot.walStatus ?? 'unknown'})` }];
    if (slot.plugin === 'pgoutput') {
      const publication = config.publicationName ?? slot.slotName;
      try {
        await checkPublication(client, database, publication, tables);
        checks.push({ check: 'publication', status: 'pass', detail: `${publication} covers the LOG_BASED tables` });
      } catch (error) {
        const problem = error as Error & { hint?: string };
        checks.push({ check: 'publication', status: 'fail', detail: problem.message, ...(problem.hint === undefined ? {} : { fix: problem.hint }) });
      }
      return checks;
    }
    // Peeking up to the confirmed position loads the plugin without consuming anything.
    try {
      await client.query("SELECT count(*) FROM pg_logical_slot_peek_changes($1, (SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = $1), NULL)", [slot.slotName]);
      checks.push({ check: 'wal2json loads', status: 'pass', detail: 'the slot can be read' });
    } catch (error) {
      const problem = replicationError(error, slot.slotName, config.user);
      checks.push({ check: 'wal2json loads', status: 'fail', detail: (error as Error).message, fix: problem.hint });
    }
    return checks;
  } catch (error) {
    const tapError = error as Error & { hint?: string };
    return [{ check: 'replication slot', status: 'fail', detail: tapError.message, ...(tapError.hint === undefined ? {} : { fix: tapError.hint }) }];
  }
}

async function checkReplicationConnection(config: TapConfig, database: string): Promise<Check> {
  const client = new pg.Client({ ...(await connectionOptions(config, database)), replication: 'database' } as pg.ClientConfig);
  try {
    await client.connect();
    await client.query('IDENTIFY_SYSTEM');
    return { check: 'replication connection (pg_hba.conf)', status: 'pass', detail: 'accepted' };
  } catch (error) {
    const problem = replicationError(error, `stitch_${database}`, config.user);
    const hba = `Logical replication matches pg_hba.conf's database column: add "host ${database} ${config.user} <this machine's address>/32 scram-sha-256" -- then SELECT pg_reload_conf();`;
    return { check: 'replication connection (pg_hba.conf)', status: 'fail', detail: (error as Error).message, fix: problem.code === 'REPLICATION_PRIVILEGE' ? problem.hint : hba };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** For a standby read by FULL_TABLE/INCREMENTAL: long copies need long standby delays. */
export async function checkStandbyDelays(client: PgClient): Promise<Check[]> {
  const { rows } = await client.query<{ standby: boolean; streaming: string; archive: string }>(
    "SELECT pg_is_in_recovery() AS standby, current_setting('max_standby_streaming_delay') AS streaming, current_setting('max_standby_archive_delay') AS archive",
  );
  const row = rows[0];
  if (row === undefined || !row.standby) return [];
  return [{
    check: 'standby query delays',
    status: 'warn',
    detail: `standby: max_standby_streaming_delay=${row.streaming}, max_standby_archive_delay=${row.archive}`,
    fix: 'For the initial copy set both to 8-12 hours (e.g. ALTER SYSTEM SET max_standby_streaming_delay = \'10h\'; on the standby), then lower them afterwards.',
  }];
}
