/**
 * The one stderr logger. Stdout belongs to Singer messages, so every destination here is fd 2,
 * written synchronously (once per turn of the event loop, and at exit) so a crash or
 * process.exit never loses the last lines.
 */
import { pino, type Logger, type Level } from 'pino';
import { createRequire } from 'node:module';
import { writeSync } from 'node:fs';

export type LogFormat = 'json' | 'pretty';
export type LogLevel = Level | 'silent';

export interface LogOptions {
  level: LogLevel;
  format: LogFormat;
}

const REDACT = [
  'password',
  '*.password',
  'private_key',
  '*.private_key',
  'private_key_passphrase',
  '*.private_key_passphrase',
  'ssl_key',
  '*.ssl_key',
  'ssl_key_passphrase',
  '*.ssl_key_passphrase',
  'passphrase',
  '*.passphrase',
];

let current: Logger | null = null;
/** JSON lines logged in this turn of the event loop, written together at its end (see build). */
let held: string[] = [];
let heldBytes = 0;
let flushScheduled = false;
/** Held lines are written once they reach this many characters. */
const HOLD_BYTES = 8192;

function flushHeld(): void {
  if (held.length === 0) return;
  const text = held.join('');
  held = [];
  heldBytes = 0;
  writeStderr(text);
}

const pause = new Int32Array(new SharedArrayBuffer(4));
let stderrBroken = false;

/**
 * Writes all of `text` to fd 2 before returning. A pipe whose reader is behind refuses the write
 * (EAGAIN: Node makes fd 2 non-blocking): wait a millisecond and go on. pino's own destination
 * sleeps 100 ms each time, which a run's 1 MB summary line into a pipe paid half a second for.
 * A stderr that is gone (EPIPE) drops the lines: the run and its stdout go on.
 */
function writeStderr(text: string): void {
  if (stderrBroken) return;
  let bytes = Buffer.from(text);
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(2, bytes));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') {
        stderrBroken = true;
        return;
      }
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

/** Child loggers by component: pino builds a child's bindings each time, which a per-stream log line should not pay. */
const children = new Map<string, Logger>();

type WarningListener = (message: string, tapStreamId?: string) => void;
const warningListeners = new Set<WarningListener>();
let currentFormat: LogFormat = defaultLogFormat();

/** Every warning or worse also goes to these listeners (the run report collects them). */
export function onWarning(listener: WarningListener): () => void {
  warningListeners.add(listener);
  return () => warningListeners.delete(listener);
}

function notifyWarning(args: unknown[]): void {
  const [first, second] = args;
  const message = typeof first === 'string' ? first : typeof second === 'string' ? second : '';
  const id = first !== null && typeof first === 'object' ? (first as { tap_stream_id?: unknown }).tap_stream_id : undefined;
  for (const listener of warningListeners) listener(message, typeof id === 'string' ? id : undefined);
}

function build(options: LogOptions): Logger {
  currentFormat = options.format;
  const base = {
    level: options.level,
    base: { pid: process.pid },
    redact: { paths: REDACT, censor: '[redacted]' },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void, level: number): void {
        if (level >= 40 && warningListeners.size > 0) notifyWarning(args);
        method.apply(this, args);
      },
    },
  };
  if (options.format === 'pretty') {
    // Loaded only when used: pino-pretty costs ~100 ms of start-up that JSON runs never need.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
    return pino(base, pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY, ignore: 'pid,hostname' }));
  }
  // Lines are held until the end of the current turn of the event loop and written with one
  // synchronous write: a run of thousands of small streams paid a system call per line. The exit
  // handler writes what is held when the process ends (process.exit included) in the same turn.
  return pino(base, {
    write(line: string): void {
      held.push(line);
      heldBytes += line.length;
      // Small writes only: a pipe takes 64 KB at a time.
      if (heldBytes >= HOLD_BYTES) flushHeld();
      else if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(() => {
          flushScheduled = false;
          flushHeld();
        });
      }
    },
  });
}

process.on('exit', flushHeld);

export function configureLogger(options: LogOptions): Logger {
  current = build(options);
  children.clear();
  return current;
}

/** Logger for a module; child bindings name the component in every line. */
export function logger(component?: string): Logger {
  current ??= build({ level: 'info', format: defaultLogFormat() });
  if (component === undefined) return current;
  let child = children.get(component);
  if (child === undefined) {
    child = current.child({ component });
    children.set(component, child);
  }
  return child;
}

export function logFormat(): LogFormat {
  return currentFormat;
}

export function defaultLogFormat(): LogFormat {
  return process.stderr.isTTY ? 'pretty' : 'json';
}
