/**
 * Discovery: every database the user can connect to (or `filter_dbs`), one connection each,
 * closed after use; every table, view, materialized view and partitioned table the user can read.
 */
import { convertOptions } from '../config/convert-options.js';
import type { TapConfig } from '../config/tap-config.js';
import { TapError } from '../errors.js';
import { logger } from '../log.js';
import { connect, withConnection, type PgClient } from '../postgres/connection/connect.js';
import { toColumnType } from '../postgres/catalog/column-type.js';
import { databaseExists, groupByRelation, listColumns, listDatabases, listPrimaryKeys, listRelations, type RawRelation } from '../postgres/catalog/introspection.js';
import { withStreamMetadata, type Catalog, type CatalogEntry } from '../singer/catalog.js';
import { buildCatalogEntry } from './catalog-entry.js';
import { reportNameCollisions } from './name-collisions.js';
import { streamNaming } from '../singer/stream-names.js';
import { validReplicationKeys } from './replication-keys.js';

export async function discover(config: TapConfig): Promise<Catalog> {
  const log = logger('discovery');
  const databases = await databasesToDiscover(config);
  const streams: CatalogEntry[] = [];
  for (const database of databases) {
    const started = Date.now();
    const entries = await discoverIfStillThere(config, database);
    log.info({ database, streams: entries.length, ms: Date.now() - started }, `discovered ${entries.length} streams in database ${database}`);
    streams.push(...entries);
  }
  reportNameCollisions(streams, streamNaming(config));
  return { streams };
}

/**
 * A database dropped between listing and connecting, or while it is read (DROP DATABASE … WITH
 * (FORCE) ends its sessions first), is not an error: it is simply gone.
 */
async function discoverIfStillThere(config: TapConfig, database: string): Promise<CatalogEntry[]> {
  try {
    return await withConnection(config, database, (client) => discoverDatabase(client, database, config));
  } catch (error) {
    if (!(error instanceof TapError)) throw error;
    const gone = error.code === 'PG_DATABASE_NOT_FOUND' || (error.code === 'PG_CONNECTION_LOST' && await droppedMeanwhile(config, database));
    if (!gone) throw error;
    logger('discovery').warn({ database }, `database ${database} was dropped during discovery; skipped`);
    return [];
  }
}

/** After a lost session: whether its database disappears within a second (the drop that ended it). */
async function droppedMeanwhile(config: TapConfig, database: string): Promise<boolean> {
  try {
    return await withConnection(config, config.dbname, async (client) => {
      for (let look = 0; look < 10; look++) {
        if (!(await databaseExists(client, database))) return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return false;
    });
  } catch {
    // The first error says what happened; this look was only a courtesy.
    return false;
  }
}

async function databasesToDiscover(config: TapConfig): Promise<string[]> {
  const client = await connect(config, config.dbname);
  try {
    const reachable = await listDatabases(client);
    if (config.filterDbs === null) return reachable;
    for (const wanted of config.filterDbs) {
      if (!reachable.includes(wanted)) logger('discovery').warn({ database: wanted }, `filter_dbs names database "${wanted}", which does not exist or the user may not connect to; skipped`);
    }
    return reachable.filter((database) => config.filterDbs?.includes(database));
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function discoverDatabase(client: PgClient, database: string, config: TapConfig): Promise<CatalogEntry[]> {
  const relations = (await listRelations(client, config.filterSchemas)).filter((relation) => readable(relation, database, config));
  const oids = relations.map((relation) => relation.oid);
  // One after the other: a pg client runs one query at a time, and queueing two is deprecated.
  const columns = groupByRelation(await listColumns(client, oids));
  const keys = groupByRelation(await listPrimaryKeys(client, oids));
  const naming = streamNaming(config);
  const options = convertOptions(config);
  return relations.map((relation) => {
    const relationColumns = (columns.get(relation.oid) ?? []).filter((c) => c.can_select).map((c) => ({ name: c.name, type: toColumnType(c) }));
    const entry = buildCatalogEntry(
      {
        database,
        schema: relation.schema,
        table: relation.name,
        isView: relation.relkind === 'v' || relation.relkind === 'm',
        rowEstimate: Number(relation.row_estimate),
        columns: relationColumns,
        primaryKey: (keys.get(relation.oid) ?? []).map((k) => k.name),
      },
      naming,
      options,
    );
    return withStreamMetadata(entry, { 'valid-replication-keys': validReplicationKeys(relationColumns) });
  });
}


function readable(relation: RawRelation, database: string, config: TapConfig): boolean {
  if (relation.is_partition && !config.discoverPartitions) return false;
  if (relation.can_select && relation.can_use_schema) return true;
  const missing = relation.can_use_schema ? `SELECT on ${relation.schema}.${relation.name}` : `USAGE on schema ${relation.schema}`;
  logger('discovery').info({ database, schema: relation.schema, table: relation.name }, `skipping ${database}.${relation.schema}.${relation.name}: user has no ${missing}`);
  return false;
}
