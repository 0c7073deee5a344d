import { globToRegExp } from '../glob-pattern.js';
import { streamMetadata, type Catalog } from '../singer/catalog.js';

/**
 * The catalog helper behind `--discover --select … --exclude …`: marks matching streams
 * selected with a replication method, the way a user would by hand. Patterns match
 * `schema.table` or `database.schema.table`. Pure: returns a new catalog.
 */
export interface PatternSelection {
  select: readonly string[];
  exclude: readonly string[];
  views: boolean;
  replicationMethod: string;
  replicationKey?: string;
}

export function selectByPatterns(catalog: Catalog, selection: PatternSelection): Catalog {
  const selectors = selection.select.map(globToRegExp);
  const excluders = selection.exclude.map(globToRegExp);
  const streams = catalog.streams.map((entry) => {
    const md = streamMetadata(entry);
    const names = [`${String(md['schema-name'])}.${entry.table_name}`, `${String(md['database-name'])}.${String(md['schema-name'])}.${entry.table_name}`];
    const matches = (matchers: RegExp[]): boolean => matchers.some((matcher) => names.some((name) => matcher.test(name)));
    const wanted = matches(selectors) && !matches(excluders) && (selection.views || md['is-view'] !== true);
    if (!wanted) return entry;
    const metadata = entry.metadata.map((item) =>
      item.breadcrumb.length === 0 ? { ...item, metadata: { ...item.metadata, selected: true, 'replication-method': selection.replicationMethod, ...(selection.replicationKey === undefined ? {} : { 'replication-key': selection.replicationKey }) } } : item,
    );
    return { ...entry, metadata };
  });
  return { ...catalog, streams };
}
