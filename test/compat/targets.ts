// The runnable Singer targets of ../shared/targets, driven as a user would: the tap's stdout piped
// into the target's stdin. Each loader reads what the target stored back into the shape the type
// tests use (numbers exact as Num, arrays nested), so it can be compared with the source cell by cell.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../harness/run-cli.js';
import { canonicalNumber, Num, parseExact } from '../integration/types-expected.js';

/** ../shared/targets next to the repository (this workspace), or TAP_POSTGRES_TARGETS. */
export const TARGETS_DIR = process.env.TAP_POSTGRES_TARGETS ?? join(repoRoot, '..', 'shared', 'targets');

export function targetsAvailable(): boolean {
  return existsSync(join(TARGETS_DIR, 'bin', 'target-postgres'));
}

export interface Piped {
  tapCode: number | null;
  targetCode: number | null;
  targetStdout: string;
  stderr: string;
}

/** `tap … | target --config cfg`, both real processes. */
export function pipeInto(tapArgs: string[], target: string, targetConfig: Record<string, unknown>): Promise<Piped> {
  const dir = mkdtempSync(join(tmpdir(), 'tap-target-'));
  const configPath = join(dir, 'target.json');
  writeFileSync(configPath, JSON.stringify(targetConfig));
  const tap = spawn(process.execPath, [join(repoRoot, 'bin', 'tap-postgres.js'), ...tapArgs], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const sink = spawn(join(TARGETS_DIR, 'bin', target), ['--config', configPath], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  tap.stdout.pipe(sink.stdin);
  sink.stdin.on('error', () => undefined);
  let stderr = '';
  let targetStdout = '';
  tap.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
  sink.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
  sink.stdout.setEncoding('utf8').on('data', (text: string) => { targetStdout += text; });
  const exited = (child: ReturnType<typeof spawn>): Promise<number | null> => new Promise((resolve) => child.on('close', (code) => resolve(code)));
  return Promise.all([exited(tap), exited(sink)]).then(([tapCode, targetCode]) => ({ tapCode, targetCode, targetStdout, stderr }));
}

export type Row = Record<string, unknown>;

/** target-jsonl's <stream>.jsonl, numbers exact. */
export function readJsonl(dir: string, stream: string): Row[] {
  return readFileSync(join(dir, `${stream}.jsonl`), 'utf8').split('\n').filter((line) => line !== '').map((line) => parseExact(line) as Row);
}

/**
 * target-csv's <stream>-<time>.csv: a header, then Python's str() of each parsed value (True/False,
 * floats in repr, '' for None). Values are returned as the CSV text; the comparison decides.
 */
export function readCsv(dir: string, stream: string): Row[] {
  const file = readdirSync(dir).find((name) => name.startsWith(`${stream}-`) && name.endsWith('.csv'));
  if (file === undefined) throw new Error(`target-csv wrote no file for ${stream} in ${dir}`);
  const [header, ...rows] = parseCsv(readFileSync(join(dir, file), 'utf8'));
  return rows.map((cells) => Object.fromEntries((header as string[]).map((name, i) => [name, cells[i] ?? ''])));
}

/** RFC 4180 with '"' quoting, as Python's csv module writes it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      if (ch === '\r') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** A number as the comparison holds it: exact when the text is. */
export function num(text: string): Num {
  return new Num(canonicalNumber(text));
}

/** Whether two numbers are the same double (what a float-parsing target keeps). */
export function sameDouble(a: unknown, b: unknown): boolean {
  const value = (x: unknown): number => Number(x instanceof Num ? x.canonical : x);
  return a instanceof Num && b instanceof Num && value(a) === value(b);
}
