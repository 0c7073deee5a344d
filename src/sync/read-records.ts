import { copyRows, type CopyResult } from '../postgres/copy-query.js';
import type { CopyRow } from '../postgres/copy-text-parser.js';
import { quoteIdent, quoteQualified } from '../postgres/quote.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import { RecordLineFormatter } from '../singer/messages.js';
import type { LiveColumns } from './live-columns.js';
import type { StreamLog } from './stream-log.js';
import type { DatabaseContext } from './sync-strategy.js';

/**
 * Streams `SELECT <selected columns> FROM <table> [WHERE ...] [ORDER BY ...]` to stdout as RECORD
 * lines. Only selected columns are read; memory is bounded by one network chunk; a slow stdout
 * pauses the COPY. `afterBatch` sees each batch's last row once its records are written.
 */
export interface ReadOptions {
  version: number | null;
  log: StreamLog;
  where?: string;
  orderBy?: readonly string[];
  afterBatch?: (lastRow: CopyRow, batchRows: number) => Promise<void>;
}

/** Reads until the end, or until a stop is requested (then `stopped` is true). */
export async function readRecords(context: DatabaseContext, plan: StreamPlan, columns: LiveColumns, options: ReadOptions): Promise<CopyResult> {
  const sql = selectSql(plan, columns.names, options);
  const formatter = new RecordLineFormatter(plan.stream, columns.names, options.version);
  const converters = columns.converters;
  const width = converters.length;
  const fragments: (string | null)[] = new Array<string | null>(width);
  return copyRows(context.client, sql, async (batch) => {
    formatter.setTimeExtracted(new Date());
    let out = '';
    for (const row of batch) {
      for (let i = 0; i < width; i++) {
        const text = row[i];
        fragments[i] = text === null || text === undefined ? null : (converters[i] as (t: string) => string)(text);
      }
      out += formatter.format(fragments);
    }
    await context.writer.write(out, batch.length);
    options.log.wrote(batch.length, Buffer.byteLength(out));
    if (options.afterBatch !== undefined) await options.afterBatch(batch[batch.length - 1] as CopyRow, batch.length);
  }, () => context.stop.requested);
}

export function selectSql(plan: StreamPlan, names: readonly string[], options: Pick<ReadOptions, 'where' | 'orderBy'>): string {
  const list = names.map(quoteIdent).join(', ');
  const where = options.where === undefined ? '' : ` WHERE ${options.where}`;
  const order = options.orderBy === undefined || options.orderBy.length === 0 ? '' : ` ORDER BY ${options.orderBy.map(quoteIdent).join(', ')}`;
  return `SELECT ${list} FROM ${quoteQualified(plan.schema, plan.table)}${where}${order}`;
}
