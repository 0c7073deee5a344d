/**
 * `tap-postgres run`: one scheduled job. Holds a lock on the state file, pipes the tap into the
 * target command, keeps the last STATE the target echoes, and replaces the state file
 * (atomically) only when tap and target both succeed — never with an empty or partial state.
 */
import { spawn } from 'node:child_process';
import { access, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TapError } from '../errors.js';
import { logger } from '../log.js';
import { lockStateFile } from '../run/state-lock.js';
import { TargetStateReader } from '../run/target-state.js';

export interface RunOptions {
  config: string;
  catalog: string;
  stateFile: string;
  target: string;
  report?: string;
  acceptLsnGap?: boolean;
}

const TAP_BIN = fileURLToPath(new URL('../../../bin/tap-postgres.js', import.meta.url));

export async function runCommand(options: RunOptions): Promise<void> {
  const lock = await lockStateFile(options.stateFile);
  try {
    const hasState = await access(options.stateFile).then(() => true, () => false);
    const tapArgs = [TAP_BIN, '--config', options.config, '--catalog', options.catalog, ...(hasState ? ['--state', options.stateFile] : []), ...(options.report === undefined ? [] : ['--report', options.report]), ...(options.acceptLsnGap === true ? ['--accept-lsn-gap'] : [])];
    const tap = spawn(process.execPath, tapArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    const target = spawn('/bin/sh', ['-c', options.target], { stdio: ['pipe', 'pipe', 'inherit'] });
    const forward = (signal: NodeJS.Signals): void => {
      tap.kill(signal);
    };
    process.on('SIGTERM', forward);
    process.on('SIGINT', forward);
    tap.stdout.pipe(target.stdin);
    // A target that is gone unpipes the tap, whose output would then fill the pipe and wait for a
    // reader forever: close our end instead, so the tap's next write fails and it stops.
    const targetGone = (): void => {
      tap.stdout.destroy();
    };
    target.stdin.on('error', targetGone);
    target.on('close', targetGone);
    const states = new TargetStateReader();
    target.stdout.setEncoding('utf8').on('data', (chunk: string) => states.push(chunk));
    const [tapCode, targetCode] = await Promise.all([exitCode(tap), exitCode(target)]);
    process.off('SIGTERM', forward);
    process.off('SIGINT', forward);
    const state = states.end();
    if (tapCode !== 0 || targetCode !== 0) {
      // A failed target makes the tap fail too (its output is closed): name the target first.
      const who = targetCode !== 0 ? `the target exited with ${targetCode}` : `the tap exited with ${tapCode}`;
      throw new TapError('RUN_FAILED', `scheduled run failed: ${who}; the state file ${options.stateFile} was left unchanged`, {
        hint: 'Read the error lines above (tap and target both log to stderr); the next run starts from the unchanged state.',
        retryable: true,
        exitCode: targetCode !== 0 ? targetCode : tapCode,
      });
    }
    if (state === null) {
      logger('run').warn(`the target echoed no STATE: ${options.stateFile} is left unchanged`);
      return;
    }
    await replaceAtomically(options.stateFile, `${JSON.stringify(state)}\n`);
    logger('run').info({ state_file: options.stateFile }, `run succeeded; state saved to ${options.stateFile}`);
  } finally {
    await lock.release();
  }
}

function exitCode(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128 + (signal === 'SIGTERM' ? 15 : signal === 'SIGINT' ? 2 : 9))));
  });
}

async function replaceAtomically(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(temporary, text);
  await rename(temporary, path);
}
