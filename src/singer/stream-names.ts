/** Singer naming (singer-io spelling): ids are `<database>-<schema>-<table>`. */
export function tapStreamId(database: string, schema: string, table: string): string {
  return `${database}-${schema}-${table}`;
}

/** What part of a table's name a stream name carries: singer-io's table or schema_table, or database_schema_table (unique across databases). */
export type StreamNaming = 'table' | 'schema' | 'database';

export function streamName(database: string, schema: string, table: string, naming: StreamNaming): string {
  if (naming === 'database') return `${database}_${schema}_${table}`;
  return naming === 'schema' ? `${schema}_${table}` : table;
}

export function streamNaming(config: { includeSchemasInStreamName: boolean; includeDatabaseInStreamName: boolean }): StreamNaming {
  if (config.includeDatabaseInStreamName) return 'database';
  return config.includeSchemasInStreamName ? 'schema' : 'table';
}
