import type { ReplicationMethod, TapConfig } from '../config/tap-config.js';
import { TapError } from '../errors.js';
import { columnMetadata, schemaColumns, streamMetadata, type Catalog, type CatalogEntry } from '../singer/catalog.js';
import type { StreamPlan } from './stream-plan.js';

const METHODS: readonly ReplicationMethod[] = ['FULL_TABLE', 'INCREMENTAL', 'LOG_BASED'];

/**
 * Turns the user's catalog into validated plans. Every mistake is reported here, naming the
 * stream, before a single row is read.
 */
export function selectStreams(catalog: Catalog, config: TapConfig): StreamPlan[] {
  return catalog.streams.filter((entry) => streamMetadata(entry).selected === true).map((entry) => planFor(entry, config));
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
    stream: entry.stream,
    isView,
    columns: Object.freeze(columns),
    keyProperties: Object.freeze(keyProperties),
    replicationMethod: method,
    replicationKey: method === 'INCREMENTAL' ? replicationKey : null,
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
