import { logger } from '../log.js';
import type { StreamPlan } from '../selection/stream-plan.js';

/**
 * Extraction log for one stream on stderr: a start line, an end line with rows and duration, and
 * the Singer METRIC counter (`METRIC: {...}`) that Singer runners parse.
 */
export class StreamLog {
  private readonly started = Date.now();

  constructor(private readonly plan: StreamPlan) {
    logger('sync').info(this.tags(), `stream ${plan.tapStreamId} started (${plan.replicationMethod})`);
  }

  finished(rows: number): void {
    const ms = Date.now() - this.started;
    const rate = ms > 0 ? Math.round((rows * 1000) / ms) : rows;
    const log = logger('sync');
    const metric = { type: 'counter', metric: 'record_count', value: rows, tags: { endpoint: this.plan.stream, tap_stream_id: this.plan.tapStreamId } };
    log.info({ metric }, `METRIC: ${JSON.stringify(metric)}`);
    log.info({ ...this.tags(), rows, ms, rows_per_second: rate }, `stream ${this.plan.tapStreamId} finished: ${rows} rows in ${ms} ms`);
  }

  private tags(): Record<string, string> {
    return { stream: this.plan.stream, tap_stream_id: this.plan.tapStreamId, database: this.plan.database, method: this.plan.replicationMethod };
  }
}
