// Runs the built CLI exactly as a user would: a separate node process on bin/tap-postgres.js.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This file runs from dist/test/harness, three levels below the repository root. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const tapBin = join(repoRoot, 'bin', 'tap-postgres.js');

export interface RunTapOptions {
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
  /** name → JSON value (a string is written verbatim, for malformed-file tests); '@name' in args becomes the path. */
  files?: Record<string, unknown>;
}

export interface TapResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** stdout parsed line by line; throws on access if a line is not JSON (so --help tests can still read stdout). */
  lines: unknown[];
}

/**
 * The developer's PG* variables would silently fill config keys the tests leave out (libpq
 * semantics), so children start without them unless a test passes them explicitly.
 */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  return { ...env, ...extra };
}

function materialise(args: string[], files: Record<string, unknown> | undefined): { argv: string[]; dir: string | null } {
  if (!files || Object.keys(files).length === 0) return { argv: args, dir: null };
  const dir = mkdtempSync(join(tmpdir(), 'tap-cli-'));
  const paths = new Map<string, string>();
  for (const [name, value] of Object.entries(files)) {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
    paths.set(name, path);
  }
  // Longest names first so '@config2' is not rewritten by '@config'.
  const names = [...paths.keys()].sort((a, b) => b.length - a.length);
  const argv = args.map((arg) => names.reduce((acc, n) => acc.split(`@${n}`).join(paths.get(n)!), arg));
  return { argv, dir };
}

export function spawnTap(args: string[], options: RunTapOptions = {}): ChildProcessWithoutNullStreams {
  const { argv, dir } = materialise(args, options.files);
  const child = spawn(process.execPath, [tapBin, ...argv], {
    cwd: repoRoot,
    env: childEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (dir) child.once('close', () => rmSync(dir, { recursive: true, force: true }));
  // For hunting a failure that needs the whole suite's load: every tap's stderr kept in one file each.
  if (process.env.TAP_STDERR_DIR) {
    const file = createWriteStream(join(process.env.TAP_STDERR_DIR, `tap-${Date.now()}-${child.pid ?? 0}.log`));
    file.write(`${argv.join(' ')}\n`);
    child.stderr.on('data', (chunk: Buffer) => file.write(chunk));
    child.once('close', (code, signal) => file.end(`exit ${code ?? signal}\n`));
  }
  child.stdin.on('error', () => { /* the tap may exit without reading stdin */ });
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();
  return child;
}

export function parseJsonLines(stdout: string): unknown[] {
  const out: unknown[] = [];
  stdout.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line));
    } catch {
      throw new Error(`stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
    }
  });
  return out;
}

export function runTap(args: string[], options: RunTapOptions = {}): Promise<TapResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawnTap(args, options);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      const tail = Buffer.concat(err).toString('utf8').split('\n').slice(-20).join('\n');
      reject(new Error(`tap-postgres ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr tail:\n${tail}`));
    }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      let parsed: unknown[] | null = null;
      resolve({
        code,
        signal,
        stdout,
        stderr: Buffer.concat(err).toString('utf8'),
        get lines(): unknown[] {
          parsed ??= parseJsonLines(stdout);
          return parsed;
        },
      });
    });
  });
}
