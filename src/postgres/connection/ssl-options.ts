/**
 * libpq's sslmode semantics on top of node's TLS options. `attempts` lists what to try in order:
 * `prefer` tries TLS then plain text, `allow` the reverse, everything else exactly one way.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { TapError } from '../../errors.js';
import type { SslSettings } from '../../config/tap-config.js';

export type SslAttempt = false | ConnectionOptions;

export function sslAttempts(ssl: SslSettings): SslAttempt[] {
  const encryptOnly: ConnectionOptions = { rejectUnauthorized: false, ...clientCertificate(ssl) };
  switch (ssl.mode) {
    case 'disable':
      return [false];
    case 'allow':
      return [false, encryptOnly];
    case 'prefer':
      return [encryptOnly, false];
    case 'require':
      return [encryptOnly];
    case 'verify-ca':
      return [{ ...verified(ssl), checkServerIdentity: () => undefined }];
    case 'verify-full':
      return [verified(ssl)];
  }
}

function verified(ssl: SslSettings): ConnectionOptions {
  if (ssl.rootCert === undefined) {
    throw new TapError('CONFIG_INVALID', `config key "ssl_root_cert" is required for sslmode ${ssl.mode}`, {
      hint: 'Set ssl_root_cert to the CA certificate (file path or PEM) that signed the server certificate.',
    });
  }
  return { rejectUnauthorized: true, ca: pem(ssl.rootCert, 'ssl_root_cert'), ...clientCertificate(ssl) };
}

function clientCertificate(ssl: SslSettings): ConnectionOptions {
  if (ssl.cert === undefined && ssl.key === undefined) return {};
  if (ssl.cert === undefined || ssl.key === undefined) {
    throw new TapError('CONFIG_INVALID', 'config keys "ssl_cert" and "ssl_key" must be given together', {
      hint: 'Set both the client certificate and its private key, or neither.',
    });
  }
  return { cert: pem(ssl.cert, 'ssl_cert'), key: pem(ssl.key, 'ssl_key'), ...(ssl.keyPassphrase === undefined ? {} : { passphrase: ssl.keyPassphrase }) };
}

/** A value is inline PEM when it contains a PEM header, otherwise a file path. */
function pem(value: string, key: string): string {
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    throw new TapError('CONFIG_INVALID', `config key "${key}" names a file that cannot be read: ${value}`, {
      hint: `Give ${key} as a readable file path or as inline PEM text.`,
      cause: error,
    });
  }
}

/** The error node-postgres raises when the server answers the SSL request with 'N'. */
export function isSslRefused(error: unknown): boolean {
  return error instanceof Error && /does not support SSL/i.test(error.message);
}
