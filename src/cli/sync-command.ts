import { loadConfig } from '../config/load-config.js';
import { readJsonFile } from '../json-file.js';
import { logger } from '../log.js';
import { selectStreams } from '../selection/select-streams.js';
import { parseCatalog } from '../singer/catalog.js';
import { MessageWriter } from '../singer/message-writer.js';
import { EMPTY_STATE, parseState } from '../state/tap-state.js';
import { syncAll } from '../sync/sync-all.js';

/** `--catalog` / `--properties` with optional `--state`: Singer messages on stdout. */
export async function syncCommand(configPath: string, catalogPath: string, statePath: string | undefined): Promise<void> {
  const config = await loadConfig(configPath);
  const catalog = parseCatalog(await readJsonFile(catalogPath, 'CATALOG'));
  const state = statePath === undefined ? EMPTY_STATE : parseState(await readJsonFile(statePath, 'STATE'));
  const plans = selectStreams(catalog, config);
  if (plans.length === 0) {
    logger('sync').warn('no stream is selected in the catalog: nothing to sync (set "selected": true in a stream\'s metadata)');
  }
  const writer = new MessageWriter();
  await syncAll(config, plans, state, writer);
}
