/**
 * Host key verification for the SSH tunnel. `host_key` may be an OpenSSH fingerprint
 * ("SHA256:base64"), a public key line ("ssh-ed25519 AAAA..."), or the path of a known_hosts file.
 * Pure apart from reading that file.
 */
import { createHash, createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

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
    const field = parts[0] as string;
    if (parts.length < 3 || field.startsWith('#')) continue;
    const matches = field.startsWith('|1|') ? hashedMatch(field, names) : field.split(',').some((name) => names.has(name));
    if (matches) found.add(fingerprint(Buffer.from(parts[2] as string, 'base64')));
  }
  return found;
}

/** OpenSSH's hashed entries (HashKnownHosts yes): |1|base64(salt)|base64(HMAC-SHA1(salt, name)). */
function hashedMatch(field: string, names: ReadonlySet<string>): boolean {
  const [, , salt, hash] = field.split('|');
  if (salt === undefined || hash === undefined) return false;
  const key = Buffer.from(salt, 'base64');
  return [...names].some((name) => createHmac('sha1', key).update(name).digest('base64') === hash);
}
