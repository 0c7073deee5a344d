import { loadConfig } from '../config/load-config.js';
import { discover } from '../discovery/discover.js';
import { MessageWriter } from '../singer/message-writer.js';
import { schemaToJson } from '../values/index.js';

/** `--discover`: the catalog on stdout, exact (int8 and numeric bounds are not rounded). */
export async function discoverCommand(configPath: string): Promise<void> {
  const config = await loadConfig(configPath);
  const catalog = await discover(config);
  const writer = new MessageWriter();
  await writer.write(`${schemaToJson(catalog as unknown as Record<string, unknown>)}\n`);
  await writer.flush();
}
