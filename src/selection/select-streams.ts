import type { ReplicationMethod, TapConfig } from '../config/tap-config.js';
import { TapError } from '../errors.js';
import { columnMetadata, schemaColumns, streamMetadata, type Catalog, type CatalogEntry } from '../singer/catalog.js';
import { streamName } from '../singer/stream-names.js';
import type { StreamPlan } from './stream-plan.js';

const METHODS: readonly ReplicationMethod[] = ['FULL_TABLE', 'INCREMENTAL', 'LOG_BASED'];

/**
 * Turns the user's catalog into validated plans. Every mistake is reported here, naming the
 * stream, before a single row is read.
 */
export function selectStreams(catalog: Catalog, config: TapConfig): StreamPlan[] {
  const plans = catalog.streams.filter((entry) => streamMetadata(entry).selected === true).map((entry) => planFor(entry, config));
  refuseNameCollisions(plans, config);
  return plans;
}

/**
 * Targets keep one table per stream name: two selected tables under one name would be merged (and
 * a versioning target would drop the first one's rows at the second ACTIVATE_VERSION).
 */
function refuseNameCollisions(plans: readonly StreamPlan[], config: TapConfig): void {
  const byName = new Map<string, StreamPlan[]>();
  for (const plan of plans) byName.set(plan.stream, [...(byName.get(plan.stream) ?? []), plan]);
  for (const [name, sharing] of byName) {
    if (sharing.length < 2) continue;
    const ids = sharing.map((plan) => plan.tapStreamId);
    const oneDatabase = new Set(sharing.map((plan) => plan.database)).size === 1;
    const fix = config.includeDatabaseInStreamName
      ? 'Deselect all but one of them, or give them different "stream" names in the catalog.'
      : `Set "include_database_in_destination_stream_name": true in the config (names become <database>_<schema>_<table>)${oneDatabase && !config.includeSchemasInStreamName ? ', or "include_schemas_in_destination_stream_name": true and discover again' : ''}; or deselect all but one, or give them different "stream" names in the catalog.`;
    throw new TapError('STREAM_NAME_COLLISION', `selected streams ${ids.join(' and ')} would all be written as stream "${name}" (a target would merge them into one table)`, { hint: fix });
  }
}

function planFor(entry: CatalogEntry, config: TapConfig): StreamPlan {
  const id = entry.tap_stream_id;
  const md = streamMetadata(entry);
  const database = requiredString(md['database-name'], id, 'database-name');
  const schema = requiredString(md['schema-name'], id, 'schema-name');
  const isView = md['is-view'] === true;
  const all = schemaColumns(entry);
  const keyProperties = stringList(isView ? md['view-key-properties'] ?? md['table-key-properties'] : md['table-key-properties'], id, isView ? 'view-key-properties' : 'table-key-properties');
  for (const key of keyProperties) {
    if (!all.includes(key)) throw invalid(id, `key column "${key}" is not a column of the stream`, 'Fix table-key-properties / view-key-properties, or rerun --discover.');
  }
  const method = replicationMethod(md['replication-method'], config, id);
  const replicationKey = typeof md['replication-key'] === 'string' ? md['replication-key'] : null;
  if (method === 'INCREMENTAL' && replicationKey === null) {
    throw invalid(id, 'INCREMENTAL replication needs a "replication-key"', 'Set "replication-key" in the stream metadata to a column that only grows (e.g. updated_at).');
  }
  if (replicationKey !== null && method === 'INCREMENTAL' && !all.includes(replicationKey)) {
    throw invalid(id, `replication-key "${replicationKey}" is not a column of the stream`, 'Pick one of the columns in "valid-replication-keys".');
  }
  if (method === 'LOG_BASED' && isView) {
    throw invalid(id, 'LOG_BASED replication is not possible for a view', 'Use FULL_TABLE or INCREMENTAL for views.');
  }
  const forced = new Set([...keyProperties, ...(method === 'INCREMENTAL' && replicationKey !== null ? [replicationKey] : [])]);
  const columns = all.filter((column) => forced.has(column) || columnSelected(entry, column));
  if (columns.length === 0) throw invalid(id, 'no column is selected', 'Select at least one column, or deselect the stream.');
  return Object.freeze({
    tapStreamId: id,
    database,
    schema,
    table: entry.table_name,
    // Unique across databases when asked: computed here too, so an existing catalog need not be discovered again.
    stream: config.includeDatabaseInStreamName ? streamName(database, schema, entry.table_name, 'database') : entry.stream,
    isView,
    columns: Object.freeze(columns),
    keyProperties: Object.freeze(keyProperties),
    replicationMethod: method,
    replicationKey: method === 'INCREMENTAL' ? replicationKey : null,
    knownColumns: Object.freeze(all),
    catalogSchemas: Object.freeze(Object.fromEntries(columns.map((column) => [column, (entry.schema.properties as Record<string, unknown>)[column]]))),
    catalogTypes: Object.freeze(Object.fromEntries(columns.flatMap((column) => {
      const type = columnMetadata(entry, column)['sql-datatype'];
      return typeof type === 'string' ? [[column, type]] : [];
    }))),
  });
}

/** singer-io semantics: a column is synced unless it is unsupported or marked selected: false. */
function columnSelected(entry: CatalogEntry, column: string): boolean {
  const md = columnMetadata(entry, column);
  if (md.inclusion === 'unsupported') return false;
  if (md.inclusion === 'automatic') return true;
  return md.selected !== false;
}

function replicationMethod(value: unknown, config: TapConfig, id: string): ReplicationMethod {
  const method = value ?? config.defaultReplicationMethod;
  if (method === null || method === undefined) {
    throw invalid(id, 'no replication method', 'Set "replication-method" in the stream metadata, or "default_replication_method" in the config.');
  }
  if (!METHODS.includes(method as ReplicationMethod)) {
    throw invalid(id, `unknown replication method ${JSON.stringify(method)}`, `Use one of ${METHODS.join(', ')}.`);
  }
  return method as ReplicationMethod;
}

function requiredString(value: unknown, id: string, key: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(id, `stream metadata "${key}" is missing`, 'Rerun --discover: the catalog entry is incomplete.');
  return value;
}

function stringList(value: unknown, id: string, key: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalid(id, `stream metadata "${key}" must be a list of column names`, `Write "${key}" as e.g. ["id"].`);
  }
  return [...value];
}

function invalid(id: string, problem: string, hint: string): TapError {
  return new TapError('SELECTION_INVALID', `stream ${id}: ${problem}`, { hint });
}
