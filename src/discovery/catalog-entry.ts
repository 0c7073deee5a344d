import { logger } from '../log.js';
import type { CatalogEntry, MetadataEntry } from '../singer/catalog.js';
import { columnSchema, type ConvertOptions, type PgColumnType } from '../values/index.js';
import { streamName, tapStreamId, type StreamNaming } from '../singer/stream-names.js';

/** Everything discovery learned about one relation, already folded from raw rows. */
export interface RelationFacts {
  database: string;
  schema: string;
  table: string;
  isView: boolean;
  rowEstimate: number;
  columns: readonly { name: string; type: PgColumnType }[];
  primaryKey: readonly string[];
}

export function buildCatalogEntry(facts: RelationFacts, naming: StreamNaming, options: ConvertOptions): CatalogEntry {
  const properties: [string, unknown][] = [];
  const columnMetadata: MetadataEntry[] = [];
  for (const column of facts.columns) {
    const result = columnSchema(column.type, options);
    if (result.inclusion === 'unsupported') {
      const where = `${facts.database}.${facts.schema}.${facts.table}`;
      logger('discovery').warn(
        { database: facts.database, schema: facts.schema, table: facts.table, column: column.name, reason: result.reason },
        `${where} column "${column.name}" is unsupported and will not be synced: ${result.reason ?? ''}`,
      );
    }
    properties.push([column.name, result.schema]);
    const isKey = facts.primaryKey.includes(column.name);
    columnMetadata.push({
      breadcrumb: ['properties', column.name],
      metadata: {
        'sql-datatype': column.type.sqlType,
        inclusion: result.inclusion === 'unsupported' ? 'unsupported' : isKey ? 'automatic' : 'available',
        'selected-by-default': result.inclusion !== 'unsupported',
        ...(result.reason === undefined ? {} : { 'unsupported-description': result.reason }),
      },
    });
  }
  const streamMetadata: MetadataEntry = {
    breadcrumb: [],
    metadata: {
      'table-key-properties': [...facts.primaryKey],
      'schema-name': facts.schema,
      'database-name': facts.database,
      'row-count': facts.rowEstimate,
      'is-view': facts.isView,
      'selected-by-default': false,
    },
  };
  return {
    tap_stream_id: tapStreamId(facts.database, facts.schema, facts.table),
    table_name: facts.table,
    stream: streamName(facts.database, facts.schema, facts.table, naming),
    // fromEntries defines own properties, so a column called __proto__ stays a column.
    schema: { type: 'object', properties: Object.fromEntries(properties) },
    metadata: [streamMetadata, ...columnMetadata],
  };
}
