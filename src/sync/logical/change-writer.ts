/**
 * The general path of a row change, for every output plugin: a change decoded into column texts
 * becomes RECORD lines. Deletes carry the key and `_sdc_deleted_at`; an update that changes the key
 * is a delete of the old key and the new row; values a plugin leaves out of an update (unchanged
 * TOAST) come from the old row under REPLICA IDENTITY FULL, or are read by key rather than sent as
 * nulls; a column the stream has not announced (or one gone from the table) is followed with a
 * new SCHEMA first; TRUNCATE starts a new table version.
 */
import type { TapConfig } from '../../config/tap-config.js';
import { logger } from '../../log.js';
import type { PgClient } from '../../postgres/connection/connect.js';
import { fetchRowByKey } from '../../postgres/copy/fetch-row.js';
import type { ChangeKind } from '../../report/stream-log.js';
import { activateVersionMessage, schemaMessage } from '../../singer/messages.js';
import type { MessageWriter } from '../../singer/message-writer.js';
import { liveColumns } from '../live-columns.js';
import { DELETED_AT_PROPERTY } from './change-formatter.js';
import type { LogStream } from './log-stream.js';

/** One column of a decoded row: PostgreSQL's text of the value, null for SQL NULL. */
export interface ColumnText {
  name: string;
  text: string | null;
}

export interface RowChange {
  kind: 'insert' | 'update' | 'delete';
  /** The new row; a column left out is unchanged TOAST. */
  columns: readonly ColumnText[];
  /** The old key (or the whole old row under REPLICA IDENTITY FULL), when the plugin sends it. */
  identity: readonly ColumnText[];
}

export interface ChangeWriterContext {
  config: TapConfig;
  client: PgClient;
  writer: MessageWriter;
}

const UNDEFINED_COLUMN = '42703';

export class ChangeWriter {
  /** True while a query runs on the database connection (the reader must not start another). */
  querying = false;

  constructor(private readonly context: ChangeWriterContext) {}

  /** Starts a new table version: the target drops the rows of older ones. */
  async truncate(stream: LogStream): Promise<void> {
    stream.newVersion(Date.now());
    logger('log-based').warn({ tap_stream_id: stream.plan.tapStreamId }, `table ${stream.qualifiedName} was truncated: starting table version ${stream.version}; the target drops rows of older versions`);
    await this.context.writer.write(activateVersionMessage(stream.plan.stream, stream.version));
  }

  /**
   * Writes one row change for a decoder and counts its lines on `sink`: undefined or the writer's
   * backpressure when it was written at once, a promise when it needed the database first.
   */
  writeFor(sink: { wrote(records: number): void }, stream: LogStream, change: RowChange, deletedAt: string): Promise<void> | undefined {
    const written = this.write(stream, change, deletedAt);
    if (typeof written !== 'number') return written.then((count) => sink.wrote(count));
    sink.wrote(written);
    return this.context.writer.backpressure;
  }

  /**
   * Writes the RECORD lines of one row change; returns how many. Synchronous (a number) unless
   * the change needs the database first (a column the stream has not announced, a row read by key):
   * a promise holds every later message of the session, so it is only returned when needed.
   */
  private write(stream: LogStream, change: RowChange, deletedAt: string): number | Promise<number> {
    if (this.hasUnseen(stream, change.columns) || this.hasUnseen(stream, change.identity)) {
      const seen = [...change.columns, ...change.identity].map((column) => column.name).filter((name) => !stream.known.has(name));
      return this.followDrift(stream, seen).then(() => this.writeKnown(stream, change, deletedAt));
    }
    return this.writeKnown(stream, change, deletedAt);
  }

  private hasUnseen(stream: LogStream, columns: readonly ColumnText[]): boolean {
    for (const column of columns) if (!stream.known.has(column.name)) return true;
    return false;
  }

  private writeKnown(stream: LogStream, change: RowChange, deletedAt: string): number | Promise<number> {
    const { writer } = this.context;
    // Appended now, in order; the caller looks at the writer's backpressure before reading on.
    const emit = (text: string, kind: ChangeKind): void => {
      writer.push(text, stream.log);
      stream.log.wrote(1, 0, kind);
    };
    if (change.kind === 'delete') {
      emit(stream.formatter.delete(change.identity, deletedAt), 'deletes');
      return 1;
    }
    let lines = 0;
    const kind: ChangeKind = change.kind === 'insert' ? 'inserts' : 'updates';
    if (change.kind === 'update' && stream.formatter.keyChanged(change.columns, change.identity)) {
      emit(stream.formatter.delete(change.identity, deletedAt), 'deletes');
      lines++;
    }
    const { line, missing } = stream.formatter.upsert(change.columns);
    if (missing.length === 0 || change.kind === 'insert') {
      emit(line, kind);
      return lines + 1;
    }
    // Unchanged TOASTed values are left out. Under REPLICA IDENTITY FULL the old row carries
    // them; otherwise read the row's current values by key rather than send nulls.
    const identity = new Map(change.identity.map((column) => [column.name, column.text]));
    if (missing.every((name) => identity.has(name))) {
      const merged = new Map(identity);
      for (const column of change.columns) merged.set(column.name, column.text);
      emit(stream.formatter.upsertWith(merged), kind);
      return lines + 1;
    }
    return this.currentRow(stream, change.columns).then((current) => {
      if (current === null) {
        // The row is gone now, so a later DELETE (or TRUNCATE) in the WAL removes it downstream.
        logger('log-based').debug({ tap_stream_id: stream.plan.tapStreamId, columns: missing }, 'update with unchanged TOAST values of a row deleted since: skipped');
        return lines;
      }
      const merged = new Map(current);
      for (const column of change.columns) merged.set(column.name, column.text);
      emit(stream.formatter.upsertWith(merged), kind);
      return lines + 1;
    });
  }

  /** A change names a column the stream has not announced: the table changed; follow it (a new SCHEMA first). */
  async followDrift(stream: LogStream, seen: readonly string[]): Promise<void> {
    const { client, config, writer } = this.context;
    this.querying = true;
    try {
      const columns = await liveColumns(client, stream.plan, config, { extraProperties: DELETED_AT_PROPERTY, known: stream.known, selected: stream.columns.names });
      stream.useColumns(columns, seen);
      await writer.write(schemaMessage(stream.plan.stream, columns.schemaJson, stream.plan.keyProperties, []));
    } finally {
      this.querying = false;
    }
  }

  /** The row's current values by key; a column dropped since the stream started is followed first. */
  private async currentRow(stream: LogStream, keySource: readonly ColumnText[]): Promise<Map<string, string | null> | null> {
    this.querying = true;
    try {
      return await fetchRowByKey(this.context.client, stream.rowTarget, keySource);
    } catch (error) {
      // fetchRowByKey wraps the server's error; its cause says a column is gone.
      if ((error as { cause?: { code?: string } }).cause?.code !== UNDEFINED_COLUMN) throw error;
    } finally {
      this.querying = false;
    }
    await this.followDrift(stream, []);
    this.querying = true;
    try {
      return await fetchRowByKey(this.context.client, stream.rowTarget, keySource);
    } finally {
      this.querying = false;
    }
  }
}
