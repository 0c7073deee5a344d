// Suite entry (`npm test [-- filter...]`): one shared throwaway cluster, then node --test on every
// compiled *.test.js. stdout carries only node --test's report, ending with its "# pass/# fail" summary.
import { startCluster, type Cluster } from './cluster.js';
import { ensurePostgresInstalled } from './ensure-server.js';
import { distTest, runNodeTest, testFiles } from './node-test.js';


async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const files = testFiles(filters);
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
    env.TAP_POSTGRES_TEST_SERVER_VERSION_NUM = String(cluster.serverVersionNum);
    process.stderr.write(
      `tap-postgres tests: PostgreSQL ${cluster.serverVersionNum} on 127.0.0.1:${cluster.port} (${cluster.dataDir})\n`,
    );
  }

  try {
    return (await runNodeTest(files, env)).code;
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
