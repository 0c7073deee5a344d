/**
 * `--discover`: the catalog on stdout, exact (int8 and numeric bounds are not rounded), with
 * streams pre-selected when `--select` patterns are given.
 */
import { loadConfig } from '../config/load-config.js';
import { discover } from '../discovery/discover.js';
import { TapError } from '../errors.js';
import { logger } from '../log.js';
import { selectByPatterns, type PatternSelection } from '../selection/select-patterns.js';
import type { Catalog } from '../singer/catalog.js';
import { MessageWriter } from '../singer/message-writer.js';
import { schemaToJson } from '../values/index.js';

export async function discoverCommand(configPath: string, selection: (PatternSelection & { allowEmpty: boolean }) | null): Promise<void> {
  const config = await loadConfig(configPath);
  const discovered = await discover(config);
  const catalog = selection === null ? discovered : applyPatterns(discovered, selection);
  const writer = new MessageWriter();
  await writer.write(`${schemaToJson(catalog as unknown as Record<string, unknown>)}\n`);
  await writer.flush();
}

/** A pattern that matches nothing is a mistake (a typo, the wrong database): said before any output. */
function applyPatterns(discovered: Catalog, selection: PatternSelection & { allowEmpty: boolean }): Catalog {
  const result = selectByPatterns(discovered, selection);
  const log = logger('discovery');
  if (result.lackingKey.length > 0) {
    log.warn({ tap_stream_ids: result.lackingKey }, `left unselected, no column "${selection.replicationKey ?? ''}": ${result.lackingKey.join(', ')}`);
  }
  if (result.unmatched.length > 0) {
    const message = `pattern${result.unmatched.length > 1 ? 's' : ''} ${result.unmatched.map((p) => JSON.stringify(p)).join(', ')} matched no stream`;
    if (!selection.allowEmpty) {
      throw new TapError('SELECTION_INVALID', message, {
        hint: 'Patterns match schema.table or database.schema.table (globs: * and ?); check the name and filter_dbs/filter_schemas, or pass --allow-empty to accept it.',
      });
    }
    log.warn(message);
  }
  return result.catalog;
}
