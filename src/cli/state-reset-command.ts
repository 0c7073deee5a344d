/**
 * `tap-postgres state reset --state FILE --stream ID_OR_GLOB...`: removes bookmarks so the next
 * run re-copies those tables. The file is replaced atomically (write beside it, then rename), so a
 * crash never leaves half a state file.
 */
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { readJsonFile } from '../files/json-file.js';
import { logger } from '../log.js';
import { resetBookmarks } from '../state/reset-bookmarks.js';
import { parseState } from '../state/tap-state.js';

export async function stateResetCommand(statePath: string, patterns: readonly string[]): Promise<void> {
  const state = parseState(await readJsonFile(statePath, 'STATE'));
  const { state: next, removed } = resetBookmarks(state, patterns);
  const log = logger('state');
  if (removed.length === 0) {
    log.warn({ patterns }, `no bookmark in ${statePath} matches ${patterns.join(', ')}; the file is unchanged`);
    return;
  }
  const temporary = join(dirname(statePath), `.${basename(statePath)}.${process.pid}.tmp`);
  await writeFile(temporary, `${JSON.stringify(next, null, 2)}\n`);
  await rename(temporary, statePath);
  for (const id of removed) log.info({ tap_stream_id: id }, `removed the bookmark of ${id}: the next run copies it again`);
}
