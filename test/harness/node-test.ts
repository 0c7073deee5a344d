// node --test over compiled test files, shared by the suite (run-tests) and the version matrix
// (run-versions): spec report on stdout, and a TAP copy whose "# pass/# fail" summary is appended.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const distTest = fileURLToPath(new URL('../', import.meta.url));

/** Every compiled *.test.js under dist/test whose path (relative to it) contains one of `filters` (all when none). */
export function testFiles(filters: readonly string[] = []): string[] {
  const all = findTestFiles(distTest).sort();
  return filters.length === 0 ? all : all.filter((f) => filters.some((s) => relative(distTest, f).includes(s)));
}

function findTestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTestFiles(p));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

/** Ten minutes a file; the long workload form runs for WORKLOAD_MINUTES, plus its drain and comparison. */
function fileTimeoutMs(): number {
  if (process.env.WORKLOAD !== 'long') return 600_000;
  return (Number(process.env.WORKLOAD_MINUTES ?? 30) + 30) * 60_000;
}

export interface NodeTestResult { code: number; tests: number; pass: number; fail: number }

/**
 * spec is the readable report; a second, TAP reporter goes to a file only so its "# pass N" /
 * "# fail N" summary can be copied verbatim after spec's own summary, for log scrapers and CI.
 */
export function runNodeTest(files: string[], env: NodeJS.ProcessEnv): Promise<NodeTestResult> {
  const tapDir = mkdtempSync(join(tmpdir(), 'tap-report-'));
  const tapFile = join(tapDir, 'report.tap');
  return new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--test', '--test-concurrency=2', `--test-timeout=${fileTimeoutMs()}`, '--test-reporter=spec', '--test-reporter-destination=stdout',
        '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...files],
      { stdio: 'inherit', env },
    );
    child.on('error', (err) => {
      process.stderr.write(`tap-postgres tests: could not start node --test: ${err.message}\n`);
      resolve(1);
    });
    child.on('exit', (code) => resolve(code ?? 1));
  }).then((code) => {
    const result: NodeTestResult = { code, tests: 0, pass: 0, fail: 0 };
    try {
      const summary = readFileSync(tapFile, 'utf8').split('\n')
        .filter((l) => /^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(l));
      if (summary.length > 0) process.stdout.write(summary.join('\n') + '\n');
      for (const line of summary) {
        const [, key, value] = /^# (\w+) (\d+)/.exec(line) ?? [];
        if (key === 'tests' || key === 'pass') result[key] = Number(value);
        if (key === 'fail' || key === 'cancelled') result.fail += Number(value);
      }
    } catch {
      // no TAP file means node --test died early; its own output already says why
    }
    rmSync(tapDir, { recursive: true, force: true });
    return result;
  });
}
