// One run of the real CLI against the workload, in one of the run patterns: a clean run, a slow
// reader, or a fault at a random record count (SIGKILL, pg_ctl restart -m fast or immediate,
// pg_terminate_backend on the tap's sessions, a reader that dies).
import { createHash } from 'node:crypto';
import type { Cluster } from '../harness/cluster.js';
import { collectText, lineReader } from '../harness/line-reader.js';
import { spawnTap } from '../harness/run-cli.js';
import type { TargetModel } from './target-model.js';

export const PATTERNS = ['clean', 'slow-reader', 'kill', 'restart-fast', 'restart-immediate', 'terminate', 'dying-reader'] as const;
export type Pattern = (typeof PATTERNS)[number];

export interface RunContext {
  cluster: Cluster;
  database: string;
  config: Record<string, unknown>;
  catalog: unknown;
  target: TargetModel;
  random: () => number;
  /** Per stream: RECORDs received and the hashes of the distinct ones, for the re-delivery factor. */
  delivery: Map<string, { received: number; distinct: Set<string> }>;
}

export interface RunOutcome {
  pattern: Pattern;
  /** The fault happened (the run reached its record count first). */
  faulted: boolean;
  code: number | null;
  signal: string | null;
  /** The error code the tap reported, if any. */
  error: string | null;
  retryable: boolean | null;
  received: number;
  dropped: number;
  /** stdout ended inside a line. */
  partialLine: boolean;
  stderrTail: string;
}

const RUN_TIMEOUT_MS = 180_000;

export async function runTapOnce(context: RunContext, pattern: Pattern): Promise<RunOutcome> {
  const { target, random, cluster } = context;
  await slotReleased(context);
  const files: Record<string, unknown> = { config: context.config, catalog: context.catalog };
  const args = ['--config', '@config', '--catalog', '@catalog'];
  if (target.stateLine !== undefined) {
    files.state = target.stateLine;
    args.push('--state', '@state');
  }
  const child = spawnTap(args, { files });
  const stderr = collectText(child.stderr);
  const faultAt = 1 + Math.floor(random() * 1500);
  let received = 0;
  let faulted = false;
  let readerDead = false;
  let fault: Promise<unknown> = Promise.resolve();
  const doFault = (): void => {
    faulted = true;
    if (pattern === 'kill') child.kill('SIGKILL');
    if (pattern === 'restart-fast') fault = cluster.restart('fast');
    if (pattern === 'restart-immediate') fault = cluster.restart('immediate');
    if (pattern === 'terminate') fault = cluster.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'tapuser'", [], context.database);
    if (pattern === 'dying-reader') {
      readerDead = true;
      child.stdout.destroy();
    }
  };
  const reader = lineReader(child.stdout, (line) => {
    if (readerDead) return;
    if (line.startsWith('{"type":"RECORD"')) {
      received++;
      const stream = /^\{"type":"RECORD","stream":"([^"]*)"/.exec(line)?.[1] ?? '';
      const entry = context.delivery.get(stream) ?? { received: 0, distinct: new Set<string>() };
      context.delivery.set(stream, entry);
      entry.received++;
      entry.distinct.add(createHash('sha1').update(line.replace(/,"time_extracted":"[^"]*"/, '')).digest('base64'));
    }
    target.line(line);
    if (pattern === 'slow-reader' && received % 400 === 0 && received > 0) {
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 20 + random() * 200);
    }
    if (!faulted && pattern !== 'clean' && pattern !== 'slow-reader' && received >= faultAt) doFault();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  await fault.catch(() => undefined);
  // A line cut off at the end is no message: a target cannot read it. Only a killed tap may leave one.
  const partialLine = !readerDead && reader.tail !== '';
  const dropped = target.endRun();
  const failure = errorOf(stderr.text);
  return { pattern, faulted, code, signal, error: failure?.code ?? null, retryable: failure?.retryable ?? null, received, dropped, partialLine, stderrTail: stderr.text.slice(-3000) };
}

function errorOf(stderr: string): { code: string; retryable: boolean } | null {
  for (const line of stderr.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; code?: string; retryable?: boolean };
      if ((entry.level ?? 0) >= 50 && entry.code !== undefined) return { code: entry.code, retryable: entry.retryable === true };
    } catch {
      // not a log line
    }
  }
  return null;
}

/** A killed tap's walsender holds the slot until it notices; a scheduler would simply retry later. */
async function slotReleased(context: RunContext): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    try {
      const rows = await context.cluster.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [`stitch_${context.database}`], context.database);
      if (rows[0]?.active !== true) return;
    } catch {
      // the server is restarting
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the slot stayed active for 30 s');
}
