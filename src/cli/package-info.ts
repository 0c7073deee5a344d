import { createRequire } from 'node:module';

/** name, version and description from package.json (dist/src/cli → repo root). */
export function packageInfo(): { name: string; version: string; description: string } {
  const require = createRequire(import.meta.url);
  return require('../../../package.json') as { name: string; version: string; description: string };
}
