/**
 * The catalog helper behind `--discover --select … --exclude …`: marks matching streams
 * selected with a replication method, the way a user would by hand. Patterns match
 * `schema.table` or `database.schema.table`. Pure: returns a new catalog.
 */
import { globToRegExp } from './glob-pattern.js';
import { schemaColumns, streamMetadata, withStreamMetadata, type Catalog } from '../singer/catalog.js';

export interface PatternSelection {
  select: readonly string[];
  exclude: readonly string[];
  views: boolean;
  replicationMethod: string;
  replicationKey?: string;
}

export interface PatternResult {
  catalog: Catalog;
  /** Patterns (of --select or --exclude) that matched no stream. */
  unmatched: string[];
  /** Streams the patterns matched that lack the replication key: left unselected. */
  lackingKey: string[];
}

export function selectByPatterns(catalog: Catalog, selection: PatternSelection): PatternResult {
  const patterns = [...selection.select, ...selection.exclude];
  const matchers = patterns.map(globToRegExp);
  const used = new Set<number>();
  const lackingKey: string[] = [];
  const matching = (names: string[], from: number, to: number): boolean => {
    let any = false;
    for (let i = from; i < to; i++) {
      if (names.some((name) => (matchers[i] as RegExp).test(name))) {
        used.add(i);
        any = true;
      }
    }
    return any;
  };
  const streams = catalog.streams.map((entry) => {
    const md = streamMetadata(entry);
    const names = [`${String(md['schema-name'])}.${entry.table_name}`, `${String(md['database-name'])}.${String(md['schema-name'])}.${entry.table_name}`];
    const selected = matching(names, 0, selection.select.length);
    const excluded = matching(names, selection.select.length, patterns.length);
    const wanted = selected && !excluded && (selection.views || md['is-view'] !== true);
    if (!wanted) return entry;
    if (selection.replicationKey !== undefined && !schemaColumns(entry).includes(selection.replicationKey)) {
      lackingKey.push(entry.tap_stream_id);
      return entry;
    }
    return withStreamMetadata(entry, { selected: true, 'replication-method': selection.replicationMethod, ...(selection.replicationKey === undefined ? {} : { 'replication-key': selection.replicationKey }) });
  });
  return { catalog: { ...catalog, streams }, unmatched: patterns.filter((_pattern, i) => !used.has(i)), lackingKey };
}
