/**
 * Entry point. Exit codes: 0 success, 1 a failure the user must act on, 2 wrong usage.
 * Everything a person reads goes to stderr; stdout carries only the command's product.
 */
import { Command, CommanderError, Option } from 'commander';
import { asTapError, TapError } from '../errors.js';
import { configureLogger, defaultLogFormat, logger, type LogFormat, type LogLevel } from '../log.js';
import { closeTunnel } from '../postgres/connection/endpoint.js';
import { packageInfo } from './package-info.js';
import { reportFailure } from './report-failure.js';

interface CliOptions {
  config?: string;
  discover?: boolean;
  catalog?: string;
  properties?: string;
  state?: string;
  about?: boolean;
  format?: string;
  logLevel: LogLevel;
  logFormat?: LogFormat;
  select?: string[];
  exclude?: string[];
  views: boolean;
  replicationMethod: string;
  replicationKey?: string;
  report?: string;
  test?: boolean;
  acceptLsnGap?: boolean;
  allowEmpty?: boolean;
}

export async function main(argv: readonly string[]): Promise<number> {
  let format: LogFormat = defaultLogFormat();
  const run = async (work: () => Promise<void>, options: { logLevel: LogLevel; logFormat?: LogFormat }): Promise<void> => {
    format = options.logFormat ?? defaultLogFormat();
    configureLogger({ level: options.logLevel, format });
    // A stray 'error' event or rejection must still end as one clear line, not a stack trace.
    const crash = (error: unknown): void => {
      reportFailure(asTapError(error), format);
      process.exit(1);
    };
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
    try {
      await work();
    } finally {
      await closeTunnel();
    }
  };
  const program = buildProgram(run);
  try {
    await program.parseAsync(argv as string[], { from: 'node' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const tapError = asTapError(error);
    if (tapError.code === 'USAGE') return 2;
    reportFailure(tapError, format);
    return tapError.exitCode;
  }
}

type Runner = (work: () => Promise<void>, options: { logLevel: LogLevel; logFormat?: LogFormat }) => Promise<void>;

function logOptions(command: Command): Command {
  return command
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'))
    .addOption(new Option('--log-format <format>', 'stderr log format (default: pretty on a TTY, else json)').choices(['json', 'pretty']));
}

function buildProgram(run: Runner): Command {
  const program = logOptions(
    new Command('tap-postgres')
      .description('Singer tap for PostgreSQL: discover a catalog, then sync selected tables to stdout as Singer messages.')
      .version(packageInfo().version, '--version')
      .option('--config <path>', 'config JSON file')
      .option('--discover', 'print the catalog of every reachable table')
      .option('--catalog <path>', 'catalog JSON with selected streams: run a sync')
      .option('--properties <path>', 'legacy alias of --catalog')
      .option('--state <path>', 'state JSON (the last STATE value) to resume from')
      .option('--report <path>', 'with --catalog: write a JSON run report there at exit (also on failure)')
      .option('--accept-lsn-gap', 'with --catalog: a LOG_BASED state that does not fit its slot reads on from the slot\'s position (the gap is logged) instead of stopping')
      .option('--about', 'print capabilities and settings')
      .option('--test', 'connection test: check everything a sync needs and print the fixes (exit 0 only if ready)')
      .addOption(new Option('--format <format>', 'format of --about (json, markdown) or --test (table, json)').choices(['json', 'markdown', 'table']))
      .option('--select <pattern...>', 'with --discover: mark streams matching schema.table or db.schema.table globs as selected')
      .option('--exclude <pattern...>', 'with --select: leave streams matching these globs unselected')
      .option('--no-views', 'with --select: leave views and materialized views unselected ("all tables except views")')
      .addOption(new Option('--replication-method <method>', 'with --select: method for the selected streams').choices(['FULL_TABLE', 'INCREMENTAL', 'LOG_BASED']).default('FULL_TABLE'))
      .option('--replication-key <column>', 'with --select and INCREMENTAL: the replication key column')
      .option('--allow-empty', 'with --select: a pattern that matches no stream is a warning, not an error'),
  )
    // Options after `state reset` belong to it (both know --state).
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (text) => process.stderr.write(text), writeErr: (text) => process.stderr.write(text) })
    .action(async (options: CliOptions) => run(() => dispatch(options, program), options));
  logOptions(
    program
      .command('run')
      .description('one scheduled job: pipe the tap into a target, save the state only when both succeed')
      .requiredOption('--config <path>', 'config JSON file')
      .requiredOption('--catalog <path>', 'catalog JSON with selected streams')
      .requiredOption('--state-file <path>', 'state file: read at start, replaced atomically on success, locked while running')
      .requiredOption('--target <command>', 'the Singer target, run with /bin/sh -c')
      .option('--report <path>', 'write the tap\'s JSON run report there')
      .option('--accept-lsn-gap', 'passed to the tap: a LOG_BASED state that does not fit its slot reads on from the slot\'s position'),
  )
    .exitOverride()
    .action(async (options: { config: string; catalog: string; stateFile: string; target: string; report?: string; acceptLsnGap?: boolean; logLevel: LogLevel; logFormat?: LogFormat }) =>
      run(async () => (await import('./run-command.js')).runCommand(options), options),
    );
  const state = program.command('state').description('work on a state file').exitOverride();
  logOptions(
    state
      .command('reset')
      .description('remove bookmarks so the next run copies those streams again (table-level reset)')
      .requiredOption('--state <path>', 'state JSON file, rewritten atomically')
      .requiredOption('--stream <id...>', 'tap_stream_id(s) or globs such as app-public-*'),
  )
    .exitOverride()
    .action(async (options: { state: string; stream: string[]; logLevel: LogLevel; logFormat?: LogFormat }) =>
      run(async () => (await import('./state-reset-command.js')).stateResetCommand(options.state, options.stream), options),
    );
  return program;
}

async function dispatch(options: CliOptions, program: Command): Promise<void> {
  // Commands are loaded on demand: --version and --help should not pay for pg and ajv.
  if (options.about === true) return (await import('./about-command.js')).aboutCommand(options.format ?? 'json');
  const catalog = options.catalog ?? options.properties;
  if (options.config === undefined) return usage(program, 'missing --config <path>');
  if (options.test === true) return (await import('./test-command.js')).testCommand(options.config, catalog, options.format ?? (process.stdout.isTTY ? 'table' : 'json'));
  if (options.discover === true && catalog !== undefined) return usage(program, 'use either --discover or --catalog, not both');
  if (options.acceptLsnGap === true && catalog === undefined) return usage(program, '--accept-lsn-gap goes with --catalog');
  if (options.select === undefined && (options.exclude !== undefined || options.replicationKey !== undefined || options.allowEmpty === true || !options.views)) return usage(program, '--exclude, --replication-key, --no-views and --allow-empty go with --select');
  if (options.select !== undefined && options.discover !== true) return usage(program, '--select marks streams in the catalog --discover prints; it does not change a --catalog (edit the file, or discover again with --select)');
  if (options.replicationKey !== undefined && options.replicationMethod !== 'INCREMENTAL') return usage(program, '--replication-key goes with --replication-method INCREMENTAL');
  if (options.select !== undefined && options.replicationMethod === 'INCREMENTAL' && options.replicationKey === undefined) return usage(program, '--replication-method INCREMENTAL needs --replication-key <column>');
  if (options.discover === true) {
    const selection = options.select === undefined ? null : {
      select: options.select,
      exclude: options.exclude ?? [],
      views: options.views,
      replicationMethod: options.replicationMethod,
      ...(options.replicationKey === undefined ? {} : { replicationKey: options.replicationKey }),
      allowEmpty: options.allowEmpty === true,
    };
    return (await import('./discover-command.js')).discoverCommand(options.config, selection);
  }
  if (catalog !== undefined) return (await import('./sync-command.js')).syncCommand(options.config, catalog, options.state, options.report, options.acceptLsnGap === true);
  return usage(program, 'nothing to do: give --discover, or --catalog <path> to sync');
}

function usage(program: Command, problem: string): never {
  logger().error(`usage: ${problem}`);
  process.stderr.write(`${program.helpInformation()}`);
  throw new TapError('USAGE', problem, { hint: 'See tap-postgres --help.' });
}
