/**
 * Streams `SELECT <selected columns> FROM <table> [WHERE ...] [ORDER BY ...]` to stdout as RECORD
 * lines. Only selected columns are read; memory is bounded by one network chunk; a slow stdout
 * pauses the COPY. With a cadence, `checkpoint` runs right after the record that makes a STATE due
 * (counted per record, not per network chunk), once every line before it is written.
 */
import { copyBatches } from '../postgres/copy/copy-query.js';
import { RowTooLarge, type CopyRow } from '../postgres/copy/copy-text-parser.js';
import { TapError } from '../errors.js';
import { serverFailure } from '../postgres/connection/pg-errors.js';
import { quoteIdent, quoteQualified } from '../postgres/quote.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import { RecordLineFormatter } from '../singer/messages.js';
import type { LiveColumns } from './live-columns.js';
import type { StateCadence } from './state-cadence.js';
import type { StreamLog } from '../report/stream-log.js';
import type { DatabaseContext } from './sync-strategy.js';

export interface ReadOptions {
  version: number | null;
  log: StreamLog;
  where?: string;
  orderBy?: readonly string[];
  cadence?: StateCadence;
  /** Writes a STATE covering every record up to `lastRow` (the cadence is told afterwards). */
  checkpoint?: (lastRow: CopyRow) => Promise<void>;
}

export interface ReadResult {
  rows: number;
  /** True when a stop request ended the read early; every row counted was written. */
  stopped: boolean;
  /** The last row whose record was written, or null if none was. */
  lastRow: CopyRow | null;
}

/** Reads until the end, or until a stop is requested (then `stopped` is true). */
export async function readRecords(context: DatabaseContext, plan: StreamPlan, columns: LiveColumns, options: ReadOptions): Promise<ReadResult> {
  const sql = selectSql(plan, columns.names, options);
  const formatter = new RecordLineFormatter(plan.stream, columns.names, options.version);
  const converters = columns.converters;
  const width = converters.length;
  const fragments: (string | null)[] = new Array<string | null>(width);
  const { cadence, checkpoint } = options;
  let lastRow: CopyRow | null = null;
  let out = '';
  let pending = 0;
  const write = async (): Promise<void> => {
    if (pending === 0) return;
    await context.writer.write(out, pending);
    options.log.wrote(pending, Buffer.byteLength(out));
    cadence?.add(pending);
    context.state.noteRecords(pending);
    out = '';
    pending = 0;
  };
  let room = cadence?.room ?? Number.POSITIVE_INFINITY;
  let rows = 0;
  try {
    for await (const batch of copyBatches(context.client, sql)) {
      formatter.setTimeExtracted(new Date());
      for (const row of batch) {
        for (let i = 0; i < width; i++) {
          const text = row[i];
          fragments[i] = text === null || text === undefined ? null : (converters[i] as (t: string) => string)(text);
        }
        out += formatter.format(fragments);
        pending++;
        if (pending >= room && cadence !== undefined && checkpoint !== undefined) {
          await write();
          lastRow = row;
          await checkpoint(row);
          cadence.emitted();
          room = cadence.room;
        }
      }
      await write();
      rows += batch.length;
      lastRow = batch[batch.length - 1] ?? lastRow;
      room = cadence?.room ?? room;
      if (context.stop.requested) return { rows, stopped: true, lastRow };
    }
  } catch (error) {
    if (error instanceof RowTooLarge) throw valueTooLarge(plan, columns.names, error);
    throw serverFailure(error, `copying ${plan.schema}.${plan.table} (stream ${plan.tapStreamId})`, `GRANT SELECT ON ${quoteQualified(plan.schema, plan.table)} TO ${quoteIdent(context.config.user)};`);
  }
  return { rows, stopped: false, lastRow };
}

function valueTooLarge(plan: StreamPlan, names: readonly string[], error: RowTooLarge): TapError {
  const column = names[error.column] ?? `#${error.column + 1}`;
  return new TapError('VALUE_TOO_LARGE', `a row of ${plan.schema}.${plan.table} (stream ${plan.tapStreamId}) holds more than ${error.limit / 2 ** 20} MiB of text, reached in column "${column}"`, {
    hint: `Deselect column "${column}" ("selected": false in its catalog metadata), or keep values that large out of the table (a bytea counts twice: COPY sends it as hex).`,
    cause: error,
  });
}

export function selectSql(plan: StreamPlan, names: readonly string[], options: Pick<ReadOptions, 'where' | 'orderBy'>): string {
  const list = names.map(quoteIdent).join(', ');
  const where = options.where === undefined ? '' : ` WHERE ${options.where}`;
  const order = options.orderBy === undefined || options.orderBy.length === 0 ? '' : ` ORDER BY ${options.orderBy.map(quoteIdent).join(', ')}`;
  return `SELECT ${list} FROM ${quoteQualified(plan.schema, plan.table)}${where}${order}`;
}
