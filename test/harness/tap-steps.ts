// The two steps every sync test takes through the real CLI: discover a catalog, run a sync.
import assert from 'node:assert/strict';
import type { CatalogJson } from './catalog-select.js';
import { runTap, type TapResult } from './run-cli.js';

export async function discoverCatalog(config: Record<string, unknown>, extraArgs: string[] = []): Promise<CatalogJson> {
  const result = await runTap(['--config', '@config', '--discover', ...extraArgs], { files: { config } });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as CatalogJson;
}

/** Runs a sync; `state` undefined means no --state. Does not assert success: callers decide. */
export function runSync(config: Record<string, unknown>, catalog: CatalogJson, state?: unknown): Promise<TapResult> {
  const files: Record<string, unknown> = { config, catalog };
  const args = ['--config', '@config', '--catalog', '@catalog'];
  if (state !== undefined) {
    files.state = state;
    args.push('--state', '@state');
  }
  return runTap(args, { files });
}
