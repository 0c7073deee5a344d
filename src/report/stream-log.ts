/**
 * Extraction log of one stream: a start line and an end line on stderr (method, database, rows,
 * bytes, duration, rows/s, bookmark before → after), the Singer METRIC counter and timer, the
 * progress line on a terminal, and the stream's entry in the run report.
 */
import { logger } from '../log.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import type { ByteCounter } from '../singer/message-writer.js';
import { ProgressLine } from './progress-line.js';
import type { RunReport, StreamReport, StreamStatus } from './run-report.js';

export type ChangeKind = 'inserts' | 'updates' | 'deletes';

export class StreamLog implements ByteCounter {
  private readonly startedAt = Date.now();
  private readonly entry: StreamReport;
  private readonly progress: ProgressLine;

  /** `announce`: log the start line now; false leaves it to started() (a copy logs it when its first message goes out). */
  constructor(private readonly plan: StreamPlan, report: RunReport, private readonly bookmarkBefore: unknown, rowEstimate: number | null = null, announce = true) {
    this.entry = report.startStream(plan, bookmarkBefore);
    this.progress = new ProgressLine(plan.tapStreamId, rowEstimate);
    if (announce) this.started();
  }

  started(): void {
    logger('sync').info({ ...this.tags(), bookmark_before: this.bookmarkBefore ?? null }, `stream ${this.plan.tapStreamId} started (${this.plan.replicationMethod}, database ${this.plan.database})`);
  }

  /** `records` RECORD lines of `bytes` bytes were written. */
  wrote(records: number, bytes: number, kind?: ChangeKind): void {
    this.entry.records += records;
    this.entry.bytes += bytes;
    if (kind !== undefined) this.entry[kind] = (this.entry[kind] ?? 0) + records;
    this.progress.update(this.entry.records);
  }

  /** Bytes of lines the writer counted when it wrote them (see MessageWriter.push). */
  addBytes(bytes: number): void {
    this.entry.bytes += bytes;
  }

  bookmark(after: unknown): void {
    this.entry.bookmark_after = after;
  }

  finished(status: StreamStatus = 'complete'): void {
    this.progress.clear();
    const ms = Date.now() - this.startedAt;
    const rows = this.entry.records;
    const rate = ms > 0 ? Math.round((rows * 1000) / ms) : rows;
    Object.assign(this.entry, { status, finished_at: new Date().toISOString(), duration_ms: ms });
    const log = logger('sync');
    const tags = { endpoint: this.plan.stream, tap_stream_id: this.plan.tapStreamId };
    const counter = { type: 'counter', metric: 'record_count', value: rows, tags };
    const timer = { type: 'timer', metric: 'job_duration', value: ms / 1000, tags: { ...tags, status: status === 'complete' ? 'succeeded' : status } };
    log.info({ metric: counter }, `METRIC: ${JSON.stringify(counter)}`);
    log.info({ metric: timer }, `METRIC: ${JSON.stringify(timer)}`);
    const changes = this.entry.inserts === undefined ? '' : ` (${this.entry.inserts} inserts, ${this.entry.updates ?? 0} updates, ${this.entry.deletes ?? 0} deletes)`;
    log.info(
      { ...this.tags(), status, rows, bytes: this.entry.bytes, ms, rows_per_second: rate, bookmark_before: this.entry.bookmark_before, bookmark_after: this.entry.bookmark_after },
      `stream ${this.plan.tapStreamId} ${status === 'complete' ? 'finished' : status}: ${rows} rows${changes}, ${this.entry.bytes} bytes in ${ms} ms (${rate} rows/s); bookmark ${JSON.stringify(this.entry.bookmark_before)} → ${JSON.stringify(this.entry.bookmark_after)}`,
    );
  }

  private tags(): Record<string, string> {
    return { stream: this.plan.stream, tap_stream_id: this.plan.tapStreamId, database: this.plan.database, method: this.plan.replicationMethod };
  }
}
