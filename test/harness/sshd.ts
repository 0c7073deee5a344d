// A real OpenSSH server on a loopback port for tunnel tests: its own host key, throwaway system
// users (one with a password, one with RSA, ECDSA, Ed25519 and passphrase-protected Ed25519 keys),
// and its DEBUG1 log in a file so tests can see authentications and direct-tcpip forwards.
// Needs root (sshd, useradd); `sshdUnavailable()` says why not when it cannot run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SSHD = '/usr/sbin/sshd';

export interface SshdUsers {
  /** Logs in with `password` only. */
  password: { name: string; password: string };
  /** Logs in with any of the public keys of `keys.rsa`, `keys.ecdsa`, `keys.ed25519`, `keys.encryptedEd25519`. */
  key: { name: string };
}

export interface SshdKeys {
  rsa: string;
  ecdsa: string;
  ed25519: string;
  /** OpenSSH-format Ed25519 key encrypted with `passphrase`. */
  encryptedEd25519: string;
  passphrase: string;
  /** A valid key that is in nobody's authorized_keys. */
  unknownEd25519: string;
}

export interface Sshd {
  host: string;
  port: number;
  /** As `ssh-keygen -lf` prints it: "SHA256:..." (no padding). */
  hostKeyFingerprint: string;
  /** "ssh-ed25519 AAAA... comment" */
  hostPublicKeyLine: string;
  users: SshdUsers;
  keys: SshdKeys;
  /** Everything sshd (and its per-connection children) logged so far. */
  logText(): string;
  stop(): Promise<void>;
}

/** null when this machine can start the harness sshd, else the reason (for a test skip). */
export function sshdUnavailable(): string | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'SSH tunnel tests start a real sshd and create system users, which needs root';
  if (!existsSync(SSHD)) return `${SSHD} is missing (install openssh-server)`;
  for (const tool of ['ssh-keygen', 'useradd', 'userdel', 'chpasswd']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is missing`;
  }
  return null;
}

function run(file: string, args: string[], input?: string): string {
  const r = spawnSync(file, args, { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once the port answers with an SSH banner. */
async function waitForBanner(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}) at start:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      const done = (value: boolean): void => { socket.destroy(); resolve(value); };
      socket.once('data', (d: Buffer) => done(d.toString('latin1').startsWith('SSH-')));
      socket.once('error', () => done(false));
      socket.setTimeout(1000, () => done(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not answer on 127.0.0.1:${port}:\n${log()}`);
}

/** `ssh-keygen` into `dir`; returns the private key text and the public key line. */
function keygen(dir: string, name: string, type: string, passphrase = ''): { privateKey: string; publicLine: string } {
  const path = join(dir, name);
  const bits = type === 'rsa' ? ['-b', '2048'] : type === 'ecdsa' ? ['-b', '256'] : [];
  run('ssh-keygen', ['-q', '-t', type, ...bits, '-N', passphrase, '-C', `tap-postgres-test-${name}`, '-f', path]);
  return { privateKey: readFileSync(path, 'utf8'), publicLine: readFileSync(`${path}.pub`, 'utf8').trim() };
}

/** Pids of every process below `pid`, from /proc (Linux). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may contain spaces, so parse after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* exited meanwhile */ }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parents) if (ppid === parent) { found.push(child); queue.push(child); }
  }
  return found;
}

// Every live sshd, so a dying test process leaves neither a daemon nor system users behind.
const live = new Set<() => void>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => { for (const cleanup of live) cleanup(); });
}

export async function startSshd(): Promise<Sshd> {
  const unavailable = sshdUnavailable();
  if (unavailable !== null) throw new Error(unavailable);
  const root = mkdtempSync(join(tmpdir(), 'tap-sshd-'));
  // sshd reads authorized_keys as the user, so the path to it must be traversable by everyone;
  // private keys live in a root-only directory.
  chmodSync(root, 0o755);
  const secret = join(root, 'secret');
  const authDir = join(root, 'authorized_keys');
  mkdirSync(secret, { mode: 0o700 });
  mkdirSync(authDir, { mode: 0o755 });
  const logFile = join(root, 'sshd.log');
  const suffix = randomBytes(4).toString('hex');
  const users: SshdUsers = {
    password: { name: `tapsshp${suffix}`, password: `pw-${randomBytes(9).toString('base64url')}` },
    key: { name: `tapsshk${suffix}` },
  };
  const created: string[] = [];
  let child: ChildProcess | null = null;
  let stopped = false;

  const cleanup = (): void => {
    if (stopped) return;
    stopped = true;
    live.delete(cleanup);
    if (child !== null && child.exitCode === null) child.kill('SIGKILL');
    for (const name of created) spawnSync('userdel', ['--force', name], { stdio: 'ignore' });
    if (process.env.KEEP_TEST_SSHD === '1') process.stderr.write(`tap-postgres tests: kept sshd files in ${root}\n`);
    else rmSync(root, { recursive: true, force: true });
  };
  hookExit();
  live.add(cleanup);

  try {
    const host = keygen(secret, 'ssh_host_ed25519_key', 'ed25519');
    const hostKeyFingerprint = (run('ssh-keygen', ['-lf', join(secret, 'ssh_host_ed25519_key.pub')]).split(/\s+/)[1] ?? '');
    if (!hostKeyFingerprint.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen -lf output for the host key`);
    const passphrase = `pp-${randomBytes(9).toString('base64url')}`;
    const rsa = keygen(secret, 'id_rsa', 'rsa');
    const ecdsa = keygen(secret, 'id_ecdsa', 'ecdsa');
    const ed25519 = keygen(secret, 'id_ed25519', 'ed25519');
    const encrypted = keygen(secret, 'id_ed25519_enc', 'ed25519', passphrase);
    const unknown = keygen(secret, 'id_unknown', 'ed25519');

    for (const name of [users.password.name, users.key.name]) {
      run('useradd', ['--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/bash', name]);
      created.push(name);
    }
    // A locked account ("!" in shadow, useradd's default) is refused even for public keys, so the
    // key user gets a random password nobody knows.
    run('chpasswd', [], `${users.password.name}:${users.password.password}\n${users.key.name}:${randomBytes(18).toString('hex')}\n`);
    writeFileSync(join(authDir, users.key.name), [rsa, ecdsa, ed25519, encrypted].map((k) => k.publicLine).join('\n') + '\n', { mode: 0o644 });
    chmodSync(join(authDir, users.key.name), 0o644);

    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const port = await freePort();
    const baseConfig = [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${join(secret, 'ssh_host_ed25519_key')}`,
      `PidFile ${join(root, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authDir}/%u`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin no',
      'AllowTcpForwarding yes',
      'UseDNS no',
      'PrintMotd no',
      'MaxStartups 100',
      'LogLevel DEBUG1',
    ];
    // OpenSSH 9.8+ penalises a source address after failed logins; every test connects from
    // 127.0.0.1, so the deliberate failures would lock out the tests after them.
    const configFile = join(root, 'sshd_config');
    const withPenaltiesOff = [...baseConfig, 'PerSourcePenalties no'];
    writeFileSync(configFile, withPenaltiesOff.join('\n') + '\n');
    if (spawnSync(SSHD, ['-t', '-f', configFile], { encoding: 'utf8' }).status !== 0) {
      writeFileSync(configFile, baseConfig.join('\n') + '\n');
      const check = spawnSync(SSHD, ['-t', '-f', configFile], { encoding: 'utf8' });
      if (check.status !== 0) throw new Error(`sshd -t rejects the harness config: ${check.stderr}`);
    }

    const logFd = openSync(logFile, 'a');
    try {
      child = spawn(SSHD, ['-D', '-e', '-f', configFile], { stdio: ['ignore', logFd, logFd] });
    } finally {
      closeSync(logFd);
    }
    const logText = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
    await waitForBanner(port, child, logText);
    const running = child;

    return {
      host: '127.0.0.1',
      port,
      hostKeyFingerprint,
      hostPublicKeyLine: host.publicLine,
      users,
      keys: {
        rsa: rsa.privateKey,
        ecdsa: ecdsa.privateKey,
        ed25519: ed25519.privateKey,
        encryptedEd25519: encrypted.privateKey,
        passphrase,
        unknownEd25519: unknown.privateKey,
      },
      logText,
      async stop(): Promise<void> {
        if (stopped) return;
        // The per-connection children of sshd -D outlive SIGTERM to the listener; they are killed
        // too (by pid) so the port is really dead and no session lingers.
        const children = running.pid === undefined ? [] : descendants(running.pid);
        if (running.exitCode === null) {
          const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
          running.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        }
        for (const pid of children) {
          try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
        }
        cleanup();
      },
    };
  } catch (error) {
    cleanup();
    throw error;
  }
}
