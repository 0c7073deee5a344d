// Suite entry (`npm test [-- filter...]`): one shared throwaway cluster, then node --test on every
// compiled *.test.js. stdout carries only node --test's report, ending with its "# pass/# fail" summary.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster, type Cluster } from './cluster.js';
import { ensurePostgresInstalled } from './ensure-server.js';

const distTest = fileURLToPath(new URL('../', import.meta.url));

function findTestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTestFiles(p));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

/**
 * spec is the readable report; a second, TAP reporter goes to a file only so its "# pass N" /
 * "# fail N" summary can be copied verbatim after spec's own summary, for log scrapers and CI.
 */
/** Ten minutes a file; the long workload form runs for WORKLOAD_MINUTES, plus its drain and comparison. */
function fileTimeoutMs(): number {
  if (process.env.WORKLOAD !== 'long') return 600_000;
  return (Number(process.env.WORKLOAD_MINUTES ?? 30) + 30) * 60_000;
}

function runNodeTest(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
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
    try {
      const summary = readFileSync(tapFile, 'utf8').split('\n')
        .filter((l) => /^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(l));
      if (summary.length > 0) process.stdout.write(summary.join('\n') + '\n');
    } catch {
      // no TAP file means node --test died early; its own output already says why
    }
    rmSync(tapDir, { recursive: true, force: true });
    return code;
  });
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const all = findTestFiles(distTest).sort();
  const files = filters.length === 0 ? all : all.filter((f) => filters.some((s) => relative(distTest, f).includes(s)));
  if (files.length === 0) {
    process.stderr.write(`tap-postgres tests: no *.test.js under ${distTest} matches ${JSON.stringify(filters)}\n`);
    return 1;
  }

  const env: NodeJS.ProcessEnv = { ...process.env };
  let cluster: Cluster | null = null;
  if (!env.TAP_POSTGRES_TEST_URL) {
    try {
      await ensurePostgresInstalled();
    } catch (err) {
      process.stderr.write(
        'tap-postgres tests: PostgreSQL 15 with wal2json (and sshd for tunnel tests) is required:\n' +
          `  ${(err as Error).message}\n`,
      );
      return 1;
    }
    cluster = await startCluster();
    env.TAP_POSTGRES_TEST_URL = cluster.url();
    env.TAP_POSTGRES_TEST_CERTS = cluster.certsDir;
    env.TAP_POSTGRES_TEST_SOCKET_DIR = cluster.socketDir;
    process.stderr.write(
      `tap-postgres tests: PostgreSQL ${cluster.serverVersionNum} on 127.0.0.1:${cluster.port} (${cluster.dataDir})\n`,
    );
  }

  try {
    return await runNodeTest(files, env);
  } finally {
    await cluster?.stop().catch((err: Error) => {
      process.stderr.write(`tap-postgres tests: stopping the cluster failed: ${err.message}\n`);
    });
  }
}

main().then(
  (code) => { process.exitCode = code; },
  (err: Error) => {
    process.stderr.write(`tap-postgres tests: ${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  },
);
