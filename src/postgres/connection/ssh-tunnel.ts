/**
 * One SSH connection to the bastion per run, shared by every PostgreSQL connection (discovery,
 * each database, replication): a listener on 127.0.0.1 forwards each accepted socket through its
 * own direct-tcpip channel to the database host as the bastion sees it.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Client, type ConnectConfig } from 'ssh2';
import type { SshTunnelSettings } from '../../config/tap-config.js';
import { TapError } from '../../errors.js';
import { logger } from '../../log.js';
import { acceptedKeys, fingerprint } from './host-key.js';

export interface Tunnel {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function openTunnel(settings: SshTunnelSettings, target: { host: string; port: number }): Promise<Tunnel> {
  const ssh = new Client();
  const log = logger('ssh');
  let hostKeyProblem: TapError | null = null;
  const config: ConnectConfig = {
    host: settings.host,
    port: settings.port,
    username: settings.username,
    readyTimeout: 20_000,
    keepaliveInterval: 10_000,
    keepaliveCountMax: 3,
    ...(settings.password === undefined ? {} : { password: settings.password }),
    ...(settings.privateKey === undefined ? {} : { privateKey: settings.privateKey }),
    ...(settings.privateKeyPassphrase === undefined ? {} : { passphrase: settings.privateKeyPassphrase }),
    ...(settings.password === undefined && settings.privateKey === undefined && process.env.SSH_AUTH_SOCK !== undefined ? { agent: process.env.SSH_AUTH_SOCK } : {}),
    hostVerifier: (key: Buffer): boolean => {
      const seen = fingerprint(key);
      if (settings.hostKey === undefined) {
        log.warn({ bastion: settings.host, fingerprint: seen }, `SSH host key of ${settings.host} is NOT verified (fingerprint ${seen}); set ssh_tunnel.host_key to this fingerprint to protect against a man in the middle`);
        return true;
      }
      const { fingerprints, source } = acceptedKeys(settings.hostKey, settings.host, settings.port);
      if (fingerprints.has(seen)) return true;
      hostKeyProblem = new TapError('SSH_HOST_KEY_MISMATCH', `SSH host key of ${settings.host}:${settings.port} (${seen}) does not match ${source}`, {
        hint: 'Check that you reach the right bastion; if its key changed on purpose, update ssh_tunnel.host_key.',
      });
      return false;
    },
  };
  await new Promise<void>((resolve, reject) => {
    ssh.once('ready', () => resolve());
    ssh.once('error', (error: Error & { level?: string; code?: string }) => reject(hostKeyProblem ?? sshError(error, settings)));
    try {
      ssh.connect(config);
    } catch (error) {
      // ssh2 rejects an undecryptable private key synchronously.
      reject(sshError(error as Error, settings));
    }
  });
  ssh.on('error', (error) => log.warn({ err: error.message }, 'SSH tunnel error'));
  const sockets = new Set<Socket>();
  const server = await listen(ssh, target, settings, sockets);
  const address = server.address() as { port: number };
  log.info({ bastion: `${settings.host}:${settings.port}`, target: `${target.host}:${target.port}`, local_port: address.port }, `SSH tunnel through ${settings.host} to ${target.host}:${target.port} is open`);
  let closed = false;
  return {
    host: '127.0.0.1',
    port: address.port,
    close: async () => {
      if (closed) return;
      closed = true;
      // server.close() waits for every forwarded connection to end: end them, so closing never hangs.
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await done;
      ssh.end();
    },
  };
}

function listen(ssh: Client, target: { host: string; port: number }, settings: SshTunnelSettings, sockets: Set<Socket>): Promise<Server> {
  const server = createServer((socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    ssh.forwardOut('127.0.0.1', socket.remotePort ?? 0, target.host, target.port, (error, channel) => {
      if (error !== undefined && error !== null) {
        // The PostgreSQL connection then fails and reports it once, as PG_UNREACHABLE.
        logger('ssh').debug({ target: `${target.host}:${target.port}` }, `the bastion ${settings.host} cannot reach ${target.host}:${target.port}: ${error.message}`);
        socket.destroy();
        return;
      }
      socket.pipe(channel).pipe(socket);
      socket.on('error', () => channel.close());
      channel.on('error', () => socket.destroy());
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function sshError(error: Error & { level?: string; code?: string }, settings: SshTunnelSettings): TapError {
  if (error.level === 'client-authentication') {
    return new TapError('SSH_AUTH_FAILED', `SSH authentication as "${settings.username}" on ${settings.host}:${settings.port} failed`, {
      hint: 'Check ssh_tunnel.username and its password or private_key (and private_key_passphrase); the key must be in the user\'s authorized_keys on the bastion.',
      cause: error,
    });
  }
  if (/passphrase|Encrypted private key|Cannot parse privateKey/i.test(error.message)) {
    return new TapError('SSH_AUTH_FAILED', `the SSH private key cannot be used: ${error.message.replace(/[\r\n]+/g, ' ')}`, {
      hint: 'Give ssh_tunnel.private_key as the PEM/OpenSSH key text and the right private_key_passphrase for an encrypted key.',
      cause: error,
    });
  }
  return new TapError('SSH_UNREACHABLE', `cannot reach the SSH bastion ${settings.host}:${settings.port} (${error.code ?? error.message})`, {
    hint: 'Check ssh_tunnel.host and ssh_tunnel.port, that sshd runs there, and that no firewall blocks this machine.',
    retryable: true,
    cause: error,
  });
}
