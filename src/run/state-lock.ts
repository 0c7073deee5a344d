/**
 * An exclusive lock beside the state file (`<state>.lock`), so two scheduled runs on one state
 * file never overlap. A lock whose process is gone is stale and taken over. The lock appears
 * with its content in one step (written to a private file, then hard-linked into place): a run
 * that found it empty would take it for stale and run alongside its holder.
 */
import { link, open, readFile, unlink, writeFile } from 'node:fs/promises';
import { TapError } from '../errors.js';
import { logger } from '../log.js';

export interface StateLock {
  release(): Promise<void>;
}

let drafts = 0;

export async function lockStateFile(statePath: string): Promise<StateLock> {
  const path = `${statePath}.lock`;
  const content = JSON.stringify({ pid: process.pid, started_at: new Date().toISOString() });
  const draft = `${path}.${process.pid}-${++drafts}.tmp`;
  await writeFile(draft, content);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await createWith(path, draft, content);
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
  } finally {
    await unlink(draft).catch(() => undefined);
  }
  throw new TapError('RUN_LOCKED', `could not take the lock ${path}`, { hint: 'Delete the lock file if no run is active.', exitCode: 75 });
}

/** link() fails with EEXIST like O_EXCL; where the file system has no hard links, O_EXCL it is. */
async function createWith(path: string, draft: string, content: string): Promise<void> {
  try {
    await link(draft, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    const handle = await open(path, 'wx');
    await handle.writeFile(content);
    await handle.close();
  }
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
