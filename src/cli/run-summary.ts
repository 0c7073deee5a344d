/**
 * The one-screen summary a person reads at the end of a run, on stderr; with JSON logs it is one
 * log line carrying the same counts, so log processors keep one JSON document per line.
 */
import { logFormat, logger } from '../log.js';
import type { RunSummary } from '../report/run-report.js';

export function printSummary(summary: RunSummary): void {
  if (summary.streams.length === 0) return;
  if (logFormat() === 'json') {
    logger('summary').info({ status: summary.status, records: summary.records, exit_code: summary.exit_code, streams: summary.streams.map(({ warnings, ...stream }) => ({ ...stream, warnings: warnings.length })) }, `run ${summary.status}: ${summary.records} records`);
    return;
  }
  const seconds = (Date.parse(summary.finished_at) - Date.parse(summary.started_at)) / 1000;
  const lines = [`tap-postgres: ${summary.status}, ${summary.records} records in ${seconds.toFixed(1)} s (exit ${summary.exit_code})`];
  for (const stream of summary.streams) {
    const changes = stream.inserts === undefined ? '' : ` [${stream.inserts} ins, ${stream.updates ?? 0} upd, ${stream.deletes ?? 0} del]`;
    const warnings = stream.warnings.length === 0 ? '' : `, ${stream.warnings.length} warning(s)`;
    lines.push(`  ${stream.status.padEnd(11)} ${stream.method.padEnd(11)} ${stream.tap_stream_id}: ${stream.records} records${changes}${warnings}`);
  }
  if (summary.warnings.length > 0) lines.push(`  ${summary.warnings.length} warning(s) for the run`);
  if (summary.error !== null) lines.push(`  error ${summary.error.code}: ${summary.error.message}`);
  process.stderr.write(`${lines.join('\n')}\n`);
}
