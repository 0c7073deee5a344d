import type { ErrorObject } from 'ajv';
import { TapError } from '../errors.js';
import { logger } from '../log.js';
import { readJsonFile } from '../files/json-file.js';
import { KNOWN_KEYS } from './config-schema.js';
import validate from './config-validator.js';
import type { ReplicationMethod, SslMode, TapConfig } from './tap-config.js';

/** libpq environment variables that fill keys the file leaves out (one merge, here). */
const ENV_FALLBACK: Record<string, string> = {
  host: 'PGHOST',
  port: 'PGPORT',
  user: 'PGUSER',
  password: 'PGPASSWORD',
  dbname: 'PGDATABASE',
  sslmode: 'PGSSLMODE',
  ssl_root_cert: 'PGSSLROOTCERT',
  ssl_cert: 'PGSSLCERT',
  ssl_key: 'PGSSLKEY',
};

export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<TapConfig> {
  const raw = await readJsonFile(path, 'CONFIG');
  return parseConfig(raw, env);
}

export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env): TapConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TapError('CONFIG_INVALID', 'config must be a JSON object', { hint: 'Write the config as {"host": ..., "user": ..., "dbname": ...}.' });
  }
  // ajv coerces and fills defaults in place: work on a deep copy, never on the caller's object.
  const merged = structuredClone(raw) as Record<string, unknown>;
  const fromFile = new Set(Object.keys(merged));
  for (const [key, variable] of Object.entries(ENV_FALLBACK)) {
    if (merged[key] === undefined && env[variable] !== undefined && env[variable] !== '') merged[key] = env[variable];
  }
  warnUnknownKeys(merged);
  if (!validate(merged)) throw configError(validate.errors ?? []);
  return freeze(merged, fromFile);
}

function warnUnknownKeys(config: Record<string, unknown>): void {
  const unknown = Object.keys(config).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) {
    const guesses = unknown.map((key) => [...KNOWN_KEYS].find((known) => config[known] === undefined && editDistance(key, known) <= 2)).map((guess, i) => (guess === undefined ? unknown[i] : `${unknown[i]} (did you mean ${guess}?)`));
    logger('config').warn({ keys: unknown }, `config has unknown keys, ignored: ${guesses.join(', ')}`);
  }
}

/** Levenshtein distance, for "did you mean" on a mistyped key (passwrd → password). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_unused, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length] as number;
}

/** Names the key and the rule it breaks, never the value: the value may be a secret. */
function configError(errors: ErrorObject[]): TapError {
  const first = errors[0];
  if (first === undefined) return new TapError('CONFIG_INVALID', 'config is invalid', { hint: 'Check the config against README.md.' });
  const key = configKey(first);
  const rule = first.keyword === 'required' ? 'is required' : `${first.message ?? 'is invalid'}`;
  const hint = first.keyword === 'required'
    ? `Add "${key}" to the config file (or set ${ENV_FALLBACK[key] ?? 'it'}).`
    : `Fix "${key}" in the config file; see README.md for allowed values.`;
  return new TapError('CONFIG_INVALID', `config key "${key}" ${rule}`, { hint });
}

function configKey(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty?: string }).missingProperty ?? '';
    return path === '' ? missing : `${path}.${missing}`;
  }
  return path === '' ? '(root)' : path;
}

function list(value: unknown): readonly string[] | null {
  if (typeof value !== 'string') return null;
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  return items.length === 0 ? null : Object.freeze(items);
}

/**
 * `ssl: true` in the file is a floor: a stray PGSSLMODE from the environment must not turn TLS
 * off. An explicit sslmode in the file refines it.
 */
function sslMode(config: Record<string, unknown>, fromFile: ReadonlySet<string>): SslMode {
  const mode = typeof config.sslmode === 'string' ? (config.sslmode as SslMode) : null;
  const weak = mode === null || mode === 'disable' || mode === 'allow' || mode === 'prefer';
  if (config.ssl === true && weak && !fromFile.has('sslmode')) return 'require';
  return mode ?? (config.ssl === true ? 'require' : 'prefer');
}

function freeze(c: Record<string, unknown>, fromFile: ReadonlySet<string>): TapConfig {
  const tunnel = c.ssh_tunnel as Record<string, unknown> | undefined;
  const tunnelOn = tunnel !== undefined && tunnel.enabled !== false;
  if (tunnelOn && (typeof tunnel.host !== 'string' || typeof tunnel.username !== 'string')) {
    throw new TapError('CONFIG_INVALID', 'config key "ssh_tunnel" needs "host" and "username"', {
      hint: 'Set ssh_tunnel.host and ssh_tunnel.username, or set ssh_tunnel.enabled to false.',
    });
  }
  if (tunnelOn && typeof tunnel.password !== 'string' && typeof tunnel.private_key !== 'string' && process.env.SSH_AUTH_SOCK === undefined) {
    throw new TapError('CONFIG_INVALID', 'config key "ssh_tunnel" needs "password" or "private_key" (or an ssh-agent in SSH_AUTH_SOCK)', {
      hint: 'Set ssh_tunnel.password, or ssh_tunnel.private_key with the key text (and private_key_passphrase if it is encrypted).',
    });
  }
  const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const config: TapConfig = {
    host: c.host as string,
    port: c.port as number,
    user: c.user as string,
    ...(str(c.password) === undefined ? {} : { password: str(c.password) }),
    dbname: c.dbname as string,
    filterDbs: list(c.filter_dbs),
    filterSchemas: list(c.filter_schemas),
    discoverPartitions: c.discover_partitions as boolean,
    ssl: Object.freeze({
      mode: sslMode(c, fromFile),
      ...(str(c.ssl_root_cert) === undefined ? {} : { rootCert: str(c.ssl_root_cert) }),
      ...(str(c.ssl_cert) === undefined ? {} : { cert: str(c.ssl_cert) }),
      ...(str(c.ssl_key) === undefined ? {} : { key: str(c.ssl_key) }),
      ...(str(c.ssl_key_passphrase) === undefined ? {} : { keyPassphrase: str(c.ssl_key_passphrase) }),
    }),
    sshTunnel: tunnelOn
      ? Object.freeze({
          host: tunnel.host as string,
          port: (tunnel.port as number | undefined) ?? 22,
          username: tunnel.username as string,
          ...(str(tunnel.password) === undefined ? {} : { password: str(tunnel.password) }),
          ...(str(tunnel.private_key) === undefined ? {} : { privateKey: str(tunnel.private_key) }),
          ...(str(tunnel.private_key_passphrase) === undefined ? {} : { privateKeyPassphrase: str(tunnel.private_key_passphrase) }),
          ...(str(tunnel.host_key) === undefined ? {} : { hostKey: str(tunnel.host_key) }),
        })
      : null,
    defaultReplicationMethod: (c.default_replication_method as ReplicationMethod | undefined) ?? null,
    includeSchemasInStreamName: c.include_schemas_in_destination_stream_name as boolean,
    includeDatabaseInStreamName: c.include_database_in_destination_stream_name as boolean,
    logicalPollTotalSeconds: c.logical_poll_total_seconds as number,
    maxRunSeconds: c.max_run_seconds as number,
    breakAtEndLsn: c.break_at_end_lsn as boolean,
    slotName: typeof c.slot_name === 'object' && c.slot_name !== null ? Object.freeze({ ...(c.slot_name as Record<string, string>) }) : str(c.slot_name) ?? null,
    publicationName: str(c.publication_name) ?? null,
    outOfRangeValues: c.out_of_range_values as 'null' | 'clamp',
    // json_format wins; the older json_as_string still chooses when it is the only one set.
    jsonForm: fromFile.has('json_format') || c.json_as_string === undefined ? (c.json_format as 'string' | 'value' | 'object') : c.json_as_string === true ? 'string' : 'value',
    numericAsString: c.numeric_as_string as boolean,
    dateFormat: c.date_format as 'date-time' | 'date',
    itersize: c.itersize as number,
    stateIntervalRows: c.state_interval_rows as number,
    schemaDrift: c.schema_drift as 'follow' | 'fail',
  };
  return Object.freeze(config);
}
