/**
 * Streams `SELECT <selected columns> FROM <table> [WHERE ...] [ORDER BY ...]` to stdout as RECORD
 * lines. Only selected columns are read; memory is bounded by one network chunk; a slow stdout
 * pauses the COPY. With a cadence, `checkpoint` runs right after the record that makes a STATE due
 * (counted per record, not per network chunk), once every line before it is written.
 */
import { copyChunks, type CopyChunks } from '../postgres/copy/copy-query.js';
import { CopyRowScanner, MAX_ROW_BYTES, RowTooLarge, type CopyRow } from '../postgres/copy/copy-row-scanner.js';
import { TapError } from '../errors.js';
import { serverFailure } from '../postgres/connection/pg-errors.js';
import { quoteIdent, quoteQualified } from '../postgres/quote.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import { RecordLineFormatter } from '../singer/messages.js';
import type { LiveColumns } from './live-columns.js';
import type { StateCadence } from './state-cadence.js';
import type { StreamLog } from '../report/stream-log.js';
import type { DatabaseContext } from './sync-strategy.js';
import { ConversionFailed, CopyRecordBytes } from './copy-record-bytes.js';

export interface ReadOptions {
  version: number | null;
  log: StreamLog;
  where?: string;
  orderBy?: readonly string[];
  cadence?: StateCadence;
  /** The COPY's output when already sent (a batch); else readRecords sends it. */
  copy?: CopyChunks;
  /** Writes what goes before the records, once the COPY is sent (while the server runs it). */
  beforeRows?: () => Promise<void>;
  /** The columns of `lastRow` the caller reads (its bookmark's); the others are left null. Default: all. */
  rowColumns?: readonly number[];
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
  const record = new CopyRecordBytes(formatter.parts, columns.types, columns.converters, columns.converterKeys, context.textIsUtf8 === true);
  const width = columns.names.length;
  const scanner = new CopyRowScanner(width);
  const { writer } = context;
  const { cadence, checkpoint } = options;
  const bytes = new ByteTally();
  let lastRow: CopyRow | null = null;
  let pending = 0;
  const noteWritten = (): void => {
    if (pending === 0) return;
    options.log.wrote(pending, bytes.take());
    cadence?.add(pending);
    context.state.noteRecords(pending);
    pending = 0;
  };
  let room = cadence?.room ?? Number.POSITIVE_INFINITY;
  let rows = 0;
  const copy = options.copy ?? copyChunks(context.client, sql);
  try {
    await options.beforeRows?.();
  } catch (error) {
    copy.destroy();
    throw error;
  }
  try {
    for await (const chunk of copy) {
      formatter.setTimeExtracted(new Date());
      record.setSuffix(formatter.parts.suffix);
      scanner.feed(chunk);
      let found = 0;
      while (scanner.next()) {
        if (scanner.fields !== width) throw new Error(`COPY of ${plan.schema}.${plan.table} gave a row of ${scanner.fields} fields for ${width} columns`);
        const out = writer.beginLine();
        try {
          record.write(scanner, out);
        } catch (error) {
          // A line begun must not reach stdout half written (a later STATE would be glued to it).
          out.abandonLine();
          throw error;
        }
        writer.endLine(bytes);
        pending++;
        found++;
        if (pending >= room && cadence !== undefined && checkpoint !== undefined) {
          noteWritten();
          rows += found;
          found = 0;
          lastRow = scanner.row(options.rowColumns);
          // The checkpoint's STATE follows every record before it in the same output.
          await checkpoint(lastRow);
          cadence.emitted();
          room = cadence.room;
        }
      }
      noteWritten();
      rows += found;
      // The bookmark may follow the chunk's last row: read as texts once a chunk, not per row.
      if (found > 0) lastRow = scanner.row(options.rowColumns);
      room = cadence?.room ?? room;
      const full = writer.backpressure;
      if (full !== undefined) await full;
      if (context.stop.requested) return { rows, stopped: true, lastRow };
    }
    scanner.end();
  } catch (error) {
    if (error instanceof RowTooLarge) throw valueTooLarge(plan, columns.names, error);
    if (error instanceof ConversionFailed && isStringTooLong(error.cause)) throw valueTooLarge(plan, columns.names, new RowTooLarge(error.column, 0, MAX_ROW_BYTES));
    if (error instanceof ConversionFailed) throw error.cause;
    throw serverFailure(error, `copying ${plan.schema}.${plan.table} (stream ${plan.tapStreamId})`, `GRANT SELECT ON ${quoteQualified(plan.schema, plan.table)} TO ${quoteIdent(context.config.user)};`);
  }
  return { rows, stopped: false, lastRow };
}

/** Counts the bytes of the lines written since it was last read. */
class ByteTally {
  private bytes = 0;

  addBytes(bytes: number): void {
    this.bytes += bytes;
  }

  take(): number {
    const bytes = this.bytes;
    this.bytes = 0;
    return bytes;
  }
}

/** V8's own limit on a string, reached by a value's JSON text (escapes make it longer than the value). */
function isStringTooLong(error: unknown): boolean {
  return error instanceof RangeError && /Invalid string length/.test(error.message) || (error as { code?: unknown } | null)?.code === 'ERR_STRING_TOO_LONG';
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
