// What every benchmark does at the end: write its JSON report under bench/results/, and turn a
// failure into one line on stderr and a non-zero exit.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Writes bench/results/<name>-<UTC timestamp>.json and returns its path. */
export function writeBenchResult(name: string, when: Date, report: unknown): string {
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${when.toISOString().replace(/:/g, '').replace(/\..*$/, 'Z')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return file;
}

export function runBench(main: () => Promise<void>): void {
  main().catch((err: Error) => {
    process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  });
}
