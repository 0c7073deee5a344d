/**
 * Targets load every stream into one schema by its `stream` name, so two tables with the same
 * name in different schemas or databases would overwrite each other. Say so at discovery.
 */
import { logger } from '../log.js';
import type { CatalogEntry } from '../singer/catalog.js';
import type { StreamNaming } from '../singer/stream-names.js';

export function reportNameCollisions(streams: readonly CatalogEntry[], naming: StreamNaming): void {
  const byName = new Map<string, string[]>();
  for (const entry of streams) byName.set(entry.stream, [...(byName.get(entry.stream) ?? []), entry.tap_stream_id]);
  for (const [stream, ids] of byName) {
    if (ids.length < 2) continue;
    const fix = naming === 'database'
      ? 'select only one of them per run'
      : 'set "include_database_in_destination_stream_name": true in the config (or "include_schemas_in_destination_stream_name" when they are in one database)';
    logger('discovery').warn({ stream, tap_stream_ids: ids }, `stream name "${stream}" is shared by ${ids.join(', ')}; to keep them apart ${fix}`);
  }
}
