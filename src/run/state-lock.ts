import { open, readFile, unlink } from 'node:fs/promises';
import { TapError } from '../errors.js';
import { logger } from '../log.js';

/**
 * An exclusive lock beside the state file (`<state>.lock`, created with O_EXCL), so two scheduled
 * runs on one state file never overlap. A lock whose process is gone is stale and taken over.
 */
export interface StateLock {
  release(): Promise<void>;
}

export async function lockStateFile(statePath: string): Promise<StateLock> {
  const path = `${statePath}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, started_at: new Date().toISOString() }));
      await handle.close();
      return { release: () => unlink(path).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readHolder(path);
      if (holder !== null && alive(holder.pid)) {
        throw new TapError('RUN_LOCKED', `another run (pid ${holder.pid}, started ${holder.started_at}) holds ${path}`, {
          hint: 'Wait for it to finish; if no such run exists, delete the lock file.',
          retryable: true,
          exitCode: 75,
        });
      }
      logger('run').warn({ lock: path, holder }, `removing stale lock ${path} (its process is gone)`);
      await unlink(path).catch(() => undefined);
    }
  }
  throw new TapError('RUN_LOCKED', `could not take the lock ${path}`, { hint: 'Delete the lock file if no run is active.', exitCode: 75 });
}

async function readHolder(path: string): Promise<{ pid: number; started_at: string } | null> {
  try {
    const holder = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown; started_at?: unknown };
    return typeof holder.pid === 'number' ? { pid: holder.pid, started_at: String(holder.started_at ?? '?') } : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
