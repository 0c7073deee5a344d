/**
 * The Singer catalog vocabulary: entries, metadata breadcrumbs and the lookups every tap does.
 * Knows nothing about PostgreSQL.
 */
import { TapError } from '../errors.js';

export type Breadcrumb = readonly string[];

export interface MetadataEntry {
  breadcrumb: Breadcrumb;
  metadata: Record<string, unknown>;
}

/**
 * The stream's metadata (breadcrumb []) as Singer names it: what discovery writes and a user sets.
 * A user's catalog is read as written, so every field may hold anything: readers check.
 */
export interface StreamMetadata {
  selected?: boolean;
  'replication-method'?: string;
  'replication-key'?: string;
  'view-key-properties'?: string[];
  'database-name'?: string;
  'schema-name'?: string;
  'is-view'?: boolean;
  'row-count'?: number;
  'table-key-properties'?: string[];
  'valid-replication-keys'?: string[];
  'selected-by-default'?: boolean;
  [key: string]: unknown;
}

/** A column's metadata (breadcrumb ["properties", column]). */
export interface ColumnMetadata {
  'sql-datatype'?: string;
  inclusion?: 'automatic' | 'available' | 'unsupported';
  'selected-by-default'?: boolean;
  selected?: boolean;
  [key: string]: unknown;
}

export interface CatalogEntry {
  tap_stream_id: string;
  table_name: string;
  stream: string;
  schema: Record<string, unknown>;
  metadata: MetadataEntry[];
  [key: string]: unknown;
}

export interface Catalog {
  streams: CatalogEntry[];
}

export function streamMetadata(entry: CatalogEntry): StreamMetadata {
  return entry.metadata.find((item) => item.breadcrumb.length === 0)?.metadata ?? {};
}

export function columnMetadata(entry: CatalogEntry, column: string): ColumnMetadata {
  return entry.metadata.find((item) => item.breadcrumb.length === 2 && item.breadcrumb[0] === 'properties' && item.breadcrumb[1] === column)?.metadata ?? {};
}

/** A copy of the entry with fields set in its stream metadata: how discovery and --select both write it. */
export function withStreamMetadata(entry: CatalogEntry, patch: StreamMetadata): CatalogEntry {
  return { ...entry, metadata: entry.metadata.map((item) => (item.breadcrumb.length === 0 ? { ...item, metadata: { ...item.metadata, ...patch } } : item)) };
}

/** Property names of the stream's schema, in catalog order (the table's column order). */
export function schemaColumns(entry: CatalogEntry): string[] {
  const properties = entry.schema.properties;
  return properties !== null && typeof properties === 'object' ? Object.keys(properties) : [];
}

/** Checks the shape a catalog must have before any selection is read from it. */
export function parseCatalog(raw: unknown): Catalog {
  const streams = (raw as { streams?: unknown } | null)?.streams;
  if (!Array.isArray(streams)) {
    throw invalid('catalog must be an object with a "streams" array', 'Use the output of tap-postgres --discover as the catalog.');
  }
  streams.forEach((entry: unknown, index: number) => {
    const e = entry as Partial<CatalogEntry> | null;
    const name = typeof e?.tap_stream_id === 'string' ? e.tap_stream_id : `#${index}`;
    if (typeof e?.tap_stream_id !== 'string') throw invalid(`catalog stream ${name} has no "tap_stream_id"`, 'Rerun --discover and select streams in its output.');
    if (typeof e.table_name !== 'string' || typeof e.stream !== 'string') throw invalid(`catalog stream ${name} needs "table_name" and "stream"`, 'Rerun --discover and select streams in its output.');
    if (e.schema === null || typeof e.schema !== 'object') throw invalid(`catalog stream ${name} has no "schema" object`, 'Rerun --discover and select streams in its output.');
    const metadata = e.metadata;
    const wellFormed = Array.isArray(metadata) && metadata.every((m: unknown) => Array.isArray((m as MetadataEntry)?.breadcrumb) && typeof (m as MetadataEntry).metadata === 'object' && (m as MetadataEntry).metadata !== null);
    if (!wellFormed) throw invalid(`catalog stream ${name} has malformed "metadata" (need [{breadcrumb: [...], metadata: {...}}])`, 'Rerun --discover and select streams in its output.');
  });
  return raw as Catalog;
}

function invalid(message: string, hint: string): TapError {
  return new TapError('CATALOG_INVALID', message, { hint });
}
