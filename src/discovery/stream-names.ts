/** Singer naming (singer-io spelling): ids are `<database>-<schema>-<table>`. */
export function tapStreamId(database: string, schema: string, table: string): string {
  return `${database}-${schema}-${table}`;
}

export function streamName(schema: string, table: string, includeSchema: boolean): string {
  return includeSchema ? `${schema}_${table}` : table;
}
