// Test helpers that edit a discovered catalog the way a user would.
interface Entry { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[]; [k: string]: unknown }
export interface CatalogJson { streams: Entry[] }

export interface Selection {
  method?: string;
  replicationKey?: string;
  deselect?: string[];
  viewKeys?: string[];
}

export function findStream(catalog: CatalogJson, tapStreamId: string): Entry {
  const entry = catalog.streams.find((s) => s.tap_stream_id === tapStreamId);
  if (entry === undefined) throw new Error(`no stream ${tapStreamId} in catalog: ${catalog.streams.map((s) => s.tap_stream_id).join(', ')}`);
  return entry;
}

/** Returns a deep copy of the catalog with the given streams selected. */
export function selectInCatalog(catalog: CatalogJson, picks: Record<string, Selection>): CatalogJson {
  const copy = JSON.parse(JSON.stringify(catalog)) as CatalogJson;
  for (const [id, pick] of Object.entries(picks)) {
    const entry = findStream(copy, id);
    const top = entry.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
    top.selected = true;
    top['replication-method'] = pick.method ?? 'FULL_TABLE';
    if (pick.replicationKey !== undefined) top['replication-key'] = pick.replicationKey;
    if (pick.viewKeys !== undefined) top['view-key-properties'] = pick.viewKeys;
    for (const column of pick.deselect ?? []) {
      const md = entry.metadata.find((m) => m.breadcrumb[0] === 'properties' && m.breadcrumb[1] === column);
      if (md === undefined) throw new Error(`no column ${column} in ${id}`);
      md.metadata.selected = false;
    }
  }
  return copy;
}

export function messagesOfType<T = Record<string, unknown>>(lines: unknown[], type: string): T[] {
  return lines.filter((line) => (line as { type?: string }).type === type) as T[];
}

export function records(lines: unknown[], stream?: string): Record<string, unknown>[] {
  return messagesOfType<{ stream: string; record: Record<string, unknown> }>(lines, 'RECORD')
    .filter((m) => stream === undefined || m.stream === stream)
    .map((m) => m.record);
}
