/**
 * Where PostgreSQL connections actually go: the configured host, or the local end of the one SSH
 * tunnel of this run (opened on first use, shared by every connection, closed by closeTunnel).
 */
import type { TapConfig } from '../../config/tap-config.js';
import type { Tunnel } from './ssh-tunnel.js';

export interface Endpoint {
  host: string;
  port: number;
  tunnelled: boolean;
}

let tunnel: Promise<Tunnel> | null = null;

export async function endpoint(config: TapConfig): Promise<Endpoint> {
  if (config.sshTunnel === null) return { host: config.host, port: config.port, tunnelled: false };
  const settings = config.sshTunnel;
  // ssh2 is loaded only by runs that use a tunnel.
  tunnel ??= import('./ssh-tunnel.js').then(({ openTunnel }) => openTunnel(settings, { host: config.host, port: config.port }));
  try {
    const open = await tunnel;
    return { host: open.host, port: open.port, tunnelled: true };
  } catch (error) {
    tunnel = null;
    throw error;
  }
}

export async function closeTunnel(): Promise<void> {
  const open = tunnel;
  tunnel = null;
  if (open !== null) await (await open.catch(() => null))?.close();
}
