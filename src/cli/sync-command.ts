/**
 * `--catalog` / `--properties` with optional `--state`: Singer messages on stdout. SIGTERM or
 * SIGINT stops the run gracefully (final STATE covers what was written; exit 143 or 130); a second
 * signal exits at once. `--report FILE` gets the run report, also when the run fails.
 */
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../config/load-config.js';
import { asTapError, TapError } from '../errors.js';
import { readJsonFile } from '../files/json-file.js';
import { logger, onWarning } from '../log.js';
import { selectStreams } from '../selection/select-streams.js';
import { parseCatalog } from '../singer/catalog.js';
import { MessageWriter } from '../singer/message-writer.js';
import { checkBookmarks } from '../state/check-bookmarks.js';
import { EMPTY_STATE, parseState } from '../state/tap-state.js';
import { RunReport, type RunSummary } from '../report/run-report.js';
import { StopSignal } from '../sync/stop-signal.js';
import { syncAll } from '../sync/sync-all.js';
import { printSummary } from './run-summary.js';

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export async function syncCommand(configPath: string, catalogPath: string, statePath: string | undefined, reportPath?: string, acceptLsnGap = false): Promise<void> {
  const report = new RunReport();
  const stop = new StopSignal();
  const stopWarnings = onWarning((message, tapStreamId) => report.warning(message, tapStreamId));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.requested) {
      logger().warn(`second ${signal}: exiting now`);
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    }
    logger().warn(`${signal} received: finishing the batch in hand and writing a final STATE (send it again to exit at once)`);
    stop.request(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let failure: TapError | null = null;
  try {
    const config = await loadConfig(configPath);
    const catalog = parseCatalog(await readJsonFile(catalogPath, 'CATALOG'));
    const state = statePath === undefined ? EMPTY_STATE : parseState(await readJsonFile(statePath, 'STATE'));
    const plans = selectStreams(catalog, config);
    for (const warning of checkBookmarks(state, plans, new Set(catalog.streams.map((entry) => entry.tap_stream_id)))) logger('sync').warn(warning);
    if (plans.length === 0) {
      logger('sync').warn('no stream is selected in the catalog: nothing to sync (set "selected": true in a stream\'s metadata)');
    }
    await syncAll(config, plans, state, new MessageWriter(), { report, stop, acceptLsnGap });
    if (stop.requested) {
      throw new TapError('INTERRUPTED', `stopped by ${stop.reason ?? 'a signal'}; the last STATE covers every record written`, {
        hint: 'Run again with that STATE to continue where this run stopped.',
        retryable: true,
        exitCode: SIGNAL_EXIT[stop.reason ?? ''] ?? 1,
      });
    }
  } catch (error) {
    failure = asTapError(error);
    throw failure;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    stopWarnings();
    const summary = report.summary(failure?.exitCode ?? 0, failure === null ? null : { code: failure.code, message: failure.message, hint: failure.hint }, stop.requested);
    await writeReport(reportPath, summary);
    printSummary(summary);
  }
}

async function writeReport(path: string | undefined, summary: RunSummary): Promise<void> {
  if (path === undefined) return;
  try {
    await writeFile(path, `${JSON.stringify(summary, null, 2)}\n`);
  } catch (error) {
    logger().error({ path }, `could not write the report file ${path}: ${(error as Error).message}`);
  }
}
