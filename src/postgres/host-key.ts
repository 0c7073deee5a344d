import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

/**
 * Host key verification for the SSH tunnel. `host_key` may be an OpenSSH fingerprint
 * ("SHA256:base64"), a public key line ("ssh-ed25519 AAAA..."), or the path of a known_hosts file.
 * Pure apart from reading that file.
 */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The acceptable raw keys (base64 of the wire format) or fingerprints for `host`. */
export function acceptedKeys(hostKey: string, host: string, port: number): { fingerprints: Set<string>; source: string } {
  const value = hostKey.trim();
  if (value.startsWith('SHA256:')) return { fingerprints: new Set([value.replace(/=+$/, '')]), source: 'host_key fingerprint' };
  const keyLine = /^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+)\s+([A-Za-z0-9+/=]+)/.exec(value);
  if (keyLine !== null) return { fingerprints: new Set([fingerprint(Buffer.from(keyLine[2] as string, 'base64'))]), source: 'host_key public key' };
  if (existsSync(value)) return { fingerprints: knownHosts(readFileSync(value, 'utf8'), host, port), source: `known_hosts file ${value}` };
  return { fingerprints: new Set(), source: 'host_key (unrecognised: expected SHA256:..., a public key line or a known_hosts path)' };
}

function knownHosts(text: string, host: string, port: number): Set<string> {
  const names = new Set(port === 22 ? [host, `[${host}]:22`] : [`[${host}]:${port}`]);
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 3 || (parts[0] as string).startsWith('#') || (parts[0] as string).startsWith('|')) continue;
    if ((parts[0] as string).split(',').some((name) => names.has(name))) found.add(fingerprint(Buffer.from(parts[2] as string, 'base64')));
  }
  return found;
}
