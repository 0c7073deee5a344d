/**
 * Reads wal2json format-version 2 messages for the change reader. The common change (an insert,
 * update or delete of a selected table in the usual shape) is read and written synchronously
 * from the message bytes; anything else is decoded into a message object and takes the general
 * path: transaction boundaries, TRUNCATE, unchanged TOAST values, key changes.
 */
import { logger } from '../../log.js';
import type { TextDecode } from '../../postgres/catalog/server-encoding.js';
import type { ChangeDecoder, ChangeSink } from './change-decoder.js';
import { ChangeWriter, type ChangeWriterContext } from './change-writer.js';
import type { LogStream } from './log-stream.js';
import { decodeWal2Json, type Wal2JsonMessage } from './wal2json-message.js';
import { ActionByte, Action } from './wal2json-action.js';
import { changeAction, TableKeyReader, tableKey } from './wal2json-row.js';

export interface Wal2JsonDecoderContext extends ChangeWriterContext {
  /** Text of the database's encoding (wal2json writes it so) to a string. */
  decode: TextDecode;
}

export class Wal2JsonDecoder implements ChangeDecoder {
  private numbersAsStrings = true;
  private readonly changes: ChangeWriter;
  /** A stream by its table's names exactly as wal2json writes them. */
  private readonly byTable: Map<string, LogStream>;
  private readonly tableKeys: TableKeyReader;

  constructor(private readonly streams: readonly LogStream[], private readonly context: Wal2JsonDecoderContext) {
    this.byTable = new Map(streams.flatMap((stream) => stream.tables.map((table) => [tableKey(table.schema, table.table), stream] as const)));
    this.tableKeys = new TableKeyReader(context.decode);
    this.changes = new ChangeWriter(context);
  }

  get querying(): boolean {
    return this.changes.querying;
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
    if (message.action === Action.Truncate) return this.changes.truncate(stream);
    const kind = message.action === Action.Insert ? 'insert' : message.action === Action.Update ? 'update' : 'delete';
    return this.changes.writeFor(sink, stream, { kind, columns: message.columns, identity: message.identity }, txn.deletedAt);
  }
}

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
