/**
 * The one stderr logger. Stdout belongs to Singer messages, so every destination here is fd 2,
 * written synchronously so a crash or process.exit never loses the last lines.
 */
import { pino, type Logger, type Level } from 'pino';
import { createRequire } from 'node:module';

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
  return pino(base, pino.destination({ fd: 2, sync: true }));
}

export function configureLogger(options: LogOptions): Logger {
  current = build(options);
  return current;
}

/** Logger for a module; child bindings name the component in every line. */
export function logger(component?: string): Logger {
  current ??= build({ level: 'info', format: defaultLogFormat() });
  return component === undefined ? current : current.child({ component });
}

export function logFormat(): LogFormat {
  return currentFormat;
}

export function defaultLogFormat(): LogFormat {
  return process.stderr.isTTY ? 'pretty' : 'json';
}
