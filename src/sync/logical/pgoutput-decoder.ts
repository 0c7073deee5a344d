/**
 * Reads pgoutput (protocol version 1) for the change reader, behind the same seam as wal2json: the
 * slot's plugin decides which decoder a database gets. Relation messages say which table an oid is
 * and its columns (all of them, so a column the stream has not announced is schema drift); row
 * changes become column texts, which take the general path every plugin shares (ChangeWriter):
 * the same converters as COPY, deletes, key changes, unchanged TOAST values ('u') read by key.
 * The publication decides which tables the server sends.
 */
import type { ChangeDecoder, ChangeSink } from './change-decoder.js';
import { ChangeWriter, type ChangeWriterContext, type ColumnText } from './change-writer.js';
import type { LogStream } from './log-stream.js';
import { postgresTimestampText, readPgoutput, type RelationColumn, type TupleValue } from './pgoutput-message.js';

interface Relation {
  columns: RelationColumn[];
  /** The stream this table's changes belong to, if one is read. */
  stream: LogStream | undefined;
}

export class PgoutputDecoder implements ChangeDecoder {
  private readonly relations = new Map<number, Relation>();
  /** A stream by schema and table: its own table (changes published via the partition root) and its partitions. */
  private readonly byTable: Map<string, LogStream>;
  private readonly changes: ChangeWriter;

  constructor(streams: readonly LogStream[], context: ChangeWriterContext, private readonly publication: string) {
    const tables = (stream: LogStream): { schema: string; table: string }[] => [{ schema: stream.plan.schema, table: stream.plan.table }, ...stream.tables];
    this.byTable = new Map(streams.flatMap((stream) => tables(stream).map((table) => [tableKey(table.schema, table.table), stream] as const)));
    this.changes = new ChangeWriter(context);
  }

  get querying(): boolean {
    return this.changes.querying;
  }

  options(): Readonly<Record<string, string>> {
    // publication_names is a list of identifiers: quoted, a name with any character is one name.
    return { proto_version: '1', publication_names: `"${this.publication.replace(/"/g, '""')}"` };
  }

  fallBack(): boolean {
    return false;
  }

  read(data: Buffer, start: number, sink: ChangeSink): Promise<void> | undefined {
    const message = readPgoutput(data, start);
    switch (message.tag) {
      case 'B':
        sink.begin(message.finalLsn, postgresTimestampText(message.commitTime));
        return undefined;
      case 'C':
        return sink.commit(message.commitLsn, message.endLsn);
      case 'R': {
        const stream = this.byTable.get(tableKey(message.namespace, message.name));
        this.relations.set(message.relid, { columns: message.columns, stream });
        const unseen = message.columns.map((column) => column.name).filter((name) => stream !== undefined && !stream.known.has(name));
        return stream === undefined || unseen.length === 0 ? undefined : this.changes.followDrift(stream, unseen);
      }
      case 'I':
      case 'U':
      case 'D': {
        const txn = sink.transaction;
        const relation = this.relations.get(message.relid);
        const stream = relation?.stream;
        if (txn === null || relation === undefined || stream === undefined || txn.commitLsn < stream.lsn) return undefined;
        const kind = message.tag === 'I' ? 'insert' : message.tag === 'U' ? 'update' : 'delete';
        const row = message.tag === 'D' ? [] : texts(relation.columns, message.row, false);
        const old = message.tag === 'I' || message.old === null ? [] : texts(relation.columns, message.old, message.oldIsKey);
        return this.changes.writeFor(sink, stream, { kind, columns: row, identity: old }, txn.deletedAt);
      }
      case 'T':
        return this.truncate(message.relids, sink);
      case 'other':
        return undefined;
    }
  }

  private async truncate(relids: readonly number[], sink: ChangeSink): Promise<void> {
    const txn = sink.transaction;
    if (txn === null) return;
    const streams = new Set(relids.map((relid) => this.relations.get(relid)?.stream).filter((stream): stream is LogStream => stream !== undefined && txn.commitLsn >= stream.lsn));
    for (const stream of streams) await this.changes.truncate(stream);
  }
}

function tableKey(schema: string, table: string): string {
  return JSON.stringify([schema, table]);
}

/**
 * A tuple as named column texts. An unchanged TOASTed value ('u') is left out, as wal2json leaves
 * it out; an old key tuple ('K') holds only the key's columns (the others are sent as NULL).
 */
function texts(columns: readonly RelationColumn[], values: readonly TupleValue[], keyOnly: boolean): ColumnText[] {
  const out: ColumnText[] = [];
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as RelationColumn;
    const value = values[i];
    if (value === undefined || (keyOnly && !column.key)) continue;
    out.push({ name: column.name, text: value });
  }
  return out;
}
