// Locates a PostgreSQL installation the harness can run initdb/pg_ctl from.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';

function hasInitdb(dir: string): boolean {
  return existsSync(join(dir, 'initdb'));
}

function pgConfig(pgConfigPath: string, flag: string): string | null {
  const r = spawnSync(pgConfigPath, [flag], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  const out = r.stdout.trim();
  return out === '' ? null : out;
}

/** Major version number of a /usr/lib/postgresql/<ver>/bin style directory name. */
function versionKey(name: string): number {
  const n = Number.parseFloat(name);
  return Number.isFinite(n) ? n : -1;
}

/**
 * PG_BIN wins so a developer can point at any build; then pg_config on PATH (which on Debian is a
 * wrapper that may name a server-less install, hence the initdb check); then the newest Debian
 * versioned directory.
 */
export function findPgBinDir(): string | null {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && fromEnv.trim() !== '') return fromEnv;

  const viaPath = pgConfig('pg_config', '--bindir');
  if (viaPath && hasInitdb(viaPath)) return viaPath;

  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const candidates = readdirSync(root)
    .filter((v) => hasInitdb(join(root, v, 'bin')))
    .sort((a, b) => versionKey(b) - versionKey(a));
  return candidates.length > 0 ? join(root, candidates[0]!, 'bin') : null;
}

/** Library directory of the install that owns binDir (its own pg_config, else the sibling lib/). */
export function pkgLibDir(binDir: string): string {
  const own = join(binDir, 'pg_config');
  const viaOwn = existsSync(own) ? pgConfig(own, '--pkglibdir') : null;
  return viaOwn ?? join(dirname(binDir), 'lib');
}

export function hasWal2json(binDir: string): boolean {
  return existsSync(join(pkgLibDir(binDir), 'wal2json.so'));
}
