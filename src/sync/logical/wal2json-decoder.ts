/**
 * Reads wal2json format-version 2 messages for the change reader. The common change (an insert,
 * update or delete of a selected table in the usual shape) is read and written synchronously
 * from the message bytes; anything else is decoded into a message object and takes the general
 * path: transaction boundaries, TRUNCATE, unchanged TOAST values, key changes.
 */
import type { TapConfig } from '../../config/tap-config.js';
import { logger } from '../../log.js';
import type { PgClient } from '../../postgres/connection/connect.js';
import { fetchRowByKey } from '../../postgres/copy/fetch-row.js';
import type { TextDecode } from '../../postgres/catalog/server-encoding.js';
import { activateVersionMessage, schemaMessage } from '../../singer/messages.js';
import type { MessageWriter } from '../../singer/message-writer.js';
import { liveColumns } from '../live-columns.js';
import type { ChangeKind } from '../../report/stream-log.js';
import { DELETED_AT_PROPERTY } from './change-formatter.js';
import type { ChangeDecoder, ChangeSink } from './change-decoder.js';
import type { LogStream } from './log-stream.js';
import { decodeWal2Json, type Wal2JsonMessage } from './wal2json-message.js';
import { ActionByte, Action } from './wal2json-action.js';
import { changeAction, TableKeyReader, tableKey } from './wal2json-row.js';

export interface Wal2JsonDecoderContext {
  config: TapConfig;
  client: PgClient;
  writer: MessageWriter;
  /** Text of the database's encoding (wal2json writes it so) to a string. */
  decode: TextDecode;
}

export class Wal2JsonDecoder implements ChangeDecoder {
  querying = false;
  private numbersAsStrings = true;
  /** A stream by its table's names exactly as wal2json writes them. */
  private readonly byTable: Map<string, LogStream>;
  private readonly tableKeys: TableKeyReader;

  constructor(private readonly streams: readonly LogStream[], private readonly context: Wal2JsonDecoderContext) {
    this.byTable = new Map(streams.flatMap((stream) => stream.tables.map((table) => [tableKey(table.schema, table.table), stream] as const)));
    this.tableKeys = new TableKeyReader(context.decode);
  }

  options(): Readonly<Record<string, string>> {
    return wal2jsonOptions(this.streams, this.numbersAsStrings);
  }

  fallBack(error: unknown): boolean {
    // wal2json before 2.6 does not know numeric-data-types-as-string; numbers stay exact anyway.
    if (!this.numbersAsStrings || !/numeric-data-types-as-string.*unknown/.test((error as Error).message)) return false;
    this.numbersAsStrings = false;
    logger('log-based').warn('wal2json on this server is older than 2.6: numeric and float NaN/Infinity arrive as null in changes (upgrade wal2json to keep them)');
    return true;
  }

  read(data: Buffer, start: number, sink: ChangeSink): Promise<void> | undefined {
    const action = changeAction(data, start);
    const txn = sink.transaction;
    if (txn !== null && (action === ActionByte.Insert || action === ActionByte.Update || action === ActionByte.Delete) && this.tableKeys.read(data, start)) {
      const stream = this.byTable.get(this.tableKeys.key);
      if (stream === undefined || txn.commitLsn < stream.lsn) return undefined;
      if (stream.writeFast(data, this.tableKeys.next, action, txn.deletedAt, this.context.writer)) {
        sink.wrote(1);
        stream.log.wrote(1, 0, action === ActionByte.Insert ? 'inserts' : action === ActionByte.Update ? 'updates' : 'deletes');
        return this.context.writer.backpressure;
      }
    }
    // Decoded now: the message's bytes belong to the connection once this call returns.
    return this.readGeneral(decodeWal2Json(this.context.decode(data, start, data.length)), sink);
  }

  private readGeneral(message: Wal2JsonMessage, sink: ChangeSink): Promise<void> | undefined {
    if (message.action === Action.Begin) {
      sink.begin(message.commitLsn, message.timestamp);
      return undefined;
    }
    if (message.action === Action.Commit) return sink.commit(message.commitLsn, message.endLsn);
    const txn = sink.transaction;
    if (message.action === Action.Message || txn === null) return undefined;
    const stream = this.byTable.get(tableKey(message.schema, message.table));
    if (stream === undefined || txn.commitLsn < stream.lsn) return undefined;
    return this.applyChange(stream, message, txn.deletedAt).then((written) => sink.wrote(written));
  }

  /** Writes the RECORD lines of one change; returns how many. */
  private async applyChange(stream: LogStream, message: Wal2JsonMessage, deletedAt: string): Promise<number> {
    const { writer } = this.context;
    if (message.action === Action.Truncate) {
      stream.newVersion(Date.now());
      logger('log-based').warn({ tap_stream_id: stream.plan.tapStreamId }, `table ${stream.qualifiedName} was truncated: starting table version ${stream.version}; the target drops rows of older versions`);
      await writer.write(activateVersionMessage(stream.plan.stream, stream.version));
      return 0;
    }
    if (message.action !== Action.Insert && message.action !== Action.Update && message.action !== Action.Delete) return 0;
    const unseen = [...message.columns, ...message.identity].map((column) => column.name).filter((name) => !stream.known.has(name));
    if (unseen.length > 0) await this.followDrift(stream, unseen);
    const write = async (text: string, kind: ChangeKind): Promise<void> => {
      await writer.write(text);
      stream.log.wrote(1, Buffer.byteLength(text), kind);
    };
    if (message.action === Action.Delete) {
      await write(stream.formatter.delete(message.identity, deletedAt), 'deletes');
      return 1;
    }
    let lines = 0;
    const kind: ChangeKind = message.action === Action.Insert ? 'inserts' : 'updates';
    if (message.action === Action.Update && stream.formatter.keyChanged(message.columns, message.identity)) {
      await write(stream.formatter.delete(message.identity, deletedAt), 'deletes');
      lines++;
    }
    const { line, missing } = stream.formatter.upsert(message.columns);
    if (missing.length === 0 || message.action === Action.Insert) {
      await write(line, kind);
      return lines + 1;
    }
    // wal2json leaves out unchanged TOASTed values. Under REPLICA IDENTITY FULL the old row carries
    // them; otherwise read the row's current values by key rather than send nulls.
    const identity = new Map(message.identity.map((column) => [column.name, column.text]));
    if (missing.every((name) => identity.has(name))) {
      const merged = new Map(identity);
      for (const column of message.columns) merged.set(column.name, column.text);
      await write(stream.formatter.upsertWith(merged), kind);
      return lines + 1;
    }
    const current = await this.currentRow(stream, message);
    if (current === null) {
      // The row is gone now, so a later ActionByte.Delete (or TRUNCATE) in the WAL removes it downstream.
      logger('log-based').debug({ tap_stream_id: stream.plan.tapStreamId, columns: missing }, 'update with unchanged TOAST values of a row deleted since: skipped');
      return lines;
    }
    const merged = new Map(current);
    for (const column of message.columns) merged.set(column.name, column.text);
    await write(stream.formatter.upsertWith(merged), kind);
    return lines + 1;
  }

  /** A change names a column the stream has not announced: the table changed; follow it (a new SCHEMA first). */
  private async followDrift(stream: LogStream, seen: readonly string[]): Promise<void> {
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
  private async currentRow(stream: LogStream, message: Wal2JsonMessage & { columns: readonly { name: string; text: string | null }[] }): Promise<Map<string, string | null> | null> {
    this.querying = true;
    try {
      return await fetchRowByKey(this.context.client, stream.rowTarget, message.columns);
    } catch (error) {
      // fetchRowByKey wraps the server's error; its cause says a column is gone.
      if ((error as { cause?: { code?: string } }).cause?.code !== UNDEFINED_COLUMN) throw error;
    } finally {
      this.querying = false;
    }
    await this.followDrift(stream, []);
    this.querying = true;
    try {
      return await fetchRowByKey(this.context.client, stream.rowTarget, message.columns);
    } finally {
      this.querying = false;
    }
  }
}

const UNDEFINED_COLUMN = '42703';

function wal2jsonOptions(streams: readonly LogStream[], numbersAsStrings: boolean): Record<string, string> {
  // add-tables splits on ',', '.' and spaces and treats '*' as a wildcard: escape every character
  // that is not a plain identifier character (wal2json drops the backslash and keeps the byte after
  // it). Code points, not UTF-16 units: an emoji escaped as two halves is two U+FFFD on the wire.
  const escaped = (name: string): string => name.replace(/[^A-Za-z0-9_]/gu, '\\$&');
  return {
    'format-version': '2',
    'include-transaction': 'true',
    'include-timestamp': 'true',
    'include-lsn': 'true',
    // Types come from the live columns: leaving them out makes every document smaller on both ends.
    'include-types': 'false',
    ...(numbersAsStrings ? { 'numeric-data-types-as-string': 'true' } : {}),
    'add-tables': streams.flatMap((stream) => stream.tables.map((table) => `${escaped(table.schema)}.${escaped(table.table)}`)).join(','),
  };
}
