import { loadConfig } from '../config/load-config.js';
import { discover } from '../discovery/discover.js';
import { selectByPatterns, type PatternSelection } from '../selection/select-patterns.js';
import { MessageWriter } from '../singer/message-writer.js';
import { schemaToJson } from '../values/index.js';

/**
 * `--discover`: the catalog on stdout, exact (int8 and numeric bounds are not rounded), with
 * streams pre-selected when `--select` patterns are given.
 */
export async function discoverCommand(configPath: string, selection: PatternSelection | null): Promise<void> {
  const config = await loadConfig(configPath);
  const discovered = await discover(config);
  const catalog = selection === null ? discovered : selectByPatterns(discovered, selection);
  const writer = new MessageWriter();
  await writer.write(`${schemaToJson(catalog as unknown as Record<string, unknown>)}\n`);
  await writer.flush();
}
