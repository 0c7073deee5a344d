/**
 * The one line a failed run leaves on stderr: code, what is wrong, what to do. A TTY gets plain
 * text; machines get the same as a JSON log line. Stack traces only at debug level.
 */
import type { TapError } from '../errors.js';
import { logger, type LogFormat } from '../log.js';

export function reportFailure(error: TapError, format: LogFormat): void {
  const log = logger();
  if (error.cause !== undefined) log.debug({ err: error.cause }, 'cause of the failure');
  if (format === 'pretty') {
    process.stderr.write(`tap-postgres: error ${error.code}: ${error.message}. ${error.hint}\n`);
    return;
  }
  // An interrupted run did what it was asked to (stop cleanly): a warning, not an error line.
  if (error.code === 'INTERRUPTED') log.warn({ code: error.code, hint: error.hint, exit_code: error.exitCode }, error.message);
  else log.error({ code: error.code, hint: error.hint, retryable: error.retryable }, error.message);
}
