// What both benchmarks need to run the tap: a clean child environment and a one-stream catalog.

/** The environment without PG* variables (the config file says where to connect), in the C locale. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  return { ...env, LC_ALL: 'C', ...extra };
}

export interface Catalog { streams: Array<{ table_name: string; metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }> }

/** A copy of the discovered catalog with only `table` selected, by `method`. */
export function selectStream(catalog: Catalog, table: string, method: 'FULL_TABLE' | 'LOG_BASED'): Catalog {
  const copy = JSON.parse(JSON.stringify(catalog)) as Catalog;
  const entry = copy.streams.find((s) => s.table_name === table);
  if (!entry) throw new Error(`discovery found no stream for ${table}`);
  const top = entry.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
  top.selected = true;
  top['replication-method'] = method;
  return copy;
}
