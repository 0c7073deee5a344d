// Makes sure the machine can run throwaway clusters: PostgreSQL server binaries plus wal2json.
// Installing is only attempted where it cannot surprise anyone: a Debian-family box where we are
// already root (CI containers); everywhere else the user gets the one command to run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findPgBinDir, hasWal2json } from './pg-binaries.js';

const PACKAGES = ['postgresql-15', 'postgresql-15-wal2json', 'openssh-server'];
export const INSTALL_COMMAND = `sudo apt-get install -y ${PACKAGES.join(' ')}`;
const NON_DEBIAN_HINT =
  'Set PG_BIN to the bin directory of a PostgreSQL 15+ install that has wal2json.so, ' +
  'or set TAP_POSTGRES_TEST_URL to a superuser URL of a server with wal_level=logical and wal2json';

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** wal2json is needed unless every log-based test reads through pgoutput (the version matrix). */
function serverReady(): string | null {
  const bin = findPgBinDir();
  const plugin = process.env.TAP_TEST_PLUGIN === 'pgoutput' || hasWal2json(bin ?? '');
  return bin !== null && existsSync(join(bin, 'initdb')) && plugin ? bin : null;
}

/** stdout of apt goes to our stderr: the suite's stdout belongs to the test reporter. */
function runToStderr(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', process.stderr, process.stderr],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

export async function ensurePostgresInstalled(): Promise<string> {
  const ready = serverReady();
  const canInstall = existsSync('/etc/debian_version') && isRoot();
  // sshd only matters to tunnel tests, so its absence alone is fixed when cheap, never fatal.
  const sshdMissing = !existsSync('/usr/sbin/sshd');
  if (ready && !(sshdMissing && canInstall)) return ready;

  if (!ready && process.env.PG_BIN) {
    throw new Error(
      `PG_BIN=${process.env.PG_BIN} has no initdb or no wal2json.so in its pkglibdir. ${NON_DEBIAN_HINT}`,
    );
  }
  if (!canInstall) {
    throw new Error(existsSync('/etc/debian_version') ? INSTALL_COMMAND : NON_DEBIAN_HINT);
  }

  process.stderr.write(
    `tap-postgres tests: installing ${PACKAGES.join(' ')} with apt-get (missing on this machine)\n`,
  );
  await runToStderr('apt-get', ['update']);
  await runToStderr('apt-get', ['install', '-y', ...PACKAGES]);

  const after = serverReady();
  if (!after) {
    throw new Error(`apt-get finished but no initdb + wal2json.so was found; try: ${INSTALL_COMMAND}`);
  }
  return after;
}
