/**
 * What a run delivered, per stream, for `--report FILE` and the summary at exit. The counts are
 * taken where RECORD lines are written, so they equal the messages on stdout.
 */
import type { StreamPlan } from '../selection/stream-plan.js';

export type StreamStatus = 'running' | 'complete' | 'interrupted' | 'failed';

export interface StreamReport {
  tap_stream_id: string;
  stream: string;
  database: string;
  method: string;
  status: StreamStatus;
  records: number;
  inserts?: number;
  updates?: number;
  deletes?: number;
  bytes: number;
  bookmark_before: unknown;
  bookmark_after: unknown;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  warnings: string[];
}

export interface RunSummary {
  started_at: string;
  finished_at: string;
  exit_code: number;
  status: 'success' | 'failed' | 'interrupted';
  error: { code: string; message: string; hint: string } | null;
  records: number;
  streams: StreamReport[];
  warnings: string[];
}

export class RunReport {
  readonly startedAt = new Date();
  private readonly streams = new Map<string, StreamReport>();
  private readonly warnings: string[] = [];

  startStream(plan: StreamPlan, bookmarkBefore: unknown): StreamReport {
    const existing = this.streams.get(plan.tapStreamId);
    if (existing !== undefined) return existing;
    const entry: StreamReport = {
      tap_stream_id: plan.tapStreamId,
      stream: plan.stream,
      database: plan.database,
      method: plan.replicationMethod,
      status: 'running',
      records: 0,
      ...(plan.replicationMethod === 'LOG_BASED' ? { inserts: 0, updates: 0, deletes: 0 } : {}),
      bytes: 0,
      bookmark_before: bookmarkBefore ?? null,
      bookmark_after: bookmarkBefore ?? null,
      started_at: new Date().toISOString(),
      finished_at: null,
      duration_ms: null,
      warnings: [],
    };
    this.streams.set(plan.tapStreamId, entry);
    return entry;
  }

  /** Warnings are kept per stream when they name one, otherwise for the run. */
  warning(message: string, tapStreamId?: string): void {
    const entry = tapStreamId === undefined ? undefined : this.streams.get(tapStreamId);
    (entry?.warnings ?? this.warnings).push(message);
  }

  summary(exitCode: number, error: { code: string; message: string; hint: string } | null, interrupted: boolean): RunSummary {
    const streams = [...this.streams.values()].map((entry) => (entry.status === 'running' ? { ...entry, status: (error === null ? 'interrupted' : 'failed') as StreamStatus } : entry));
    return {
      started_at: this.startedAt.toISOString(),
      finished_at: new Date().toISOString(),
      exit_code: exitCode,
      status: interrupted ? 'interrupted' : exitCode === 0 ? 'success' : 'failed',
      error,
      records: streams.reduce((sum, entry) => sum + entry.records, 0),
      streams,
      warnings: [...this.warnings],
    };
  }
}
