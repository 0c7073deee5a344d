import type { RowTarget } from '../../postgres/copy/fetch-row.js';
import type { StreamPlan } from '../../selection/stream-plan.js';
import { UTF8_TEXT, type DatabaseText } from '../../postgres/catalog/server-encoding.js';
import type { MessageWriter } from '../../singer/message-writer.js';
import type { Lsn } from '../../state/lsn.js';
import type { LiveColumns } from '../live-columns.js';
import type { StreamLog } from '../../report/stream-log.js';
import { changeFormatter, type ChangeFormatter } from './change-formatter.js';
import type { Positioned } from './log-bookmarks.js';
import { ActionByte } from './wal2json-action.js';
import { COLUMNS_KEY, IDENTITY_KEY, RowSlots, Wal2JsonRowReader } from './wal2json-row.js';

/** One LOG_BASED stream while changes are read: its columns, version and bookmark position. */
export class LogStream implements Positioned {
  formatter!: ChangeFormatter;
  private position: Lsn;
  private reader!: Wal2JsonRowReader;
  private newRow!: RowSlots;
  private oldRow!: RowSlots;
  /** Every column name this stream has seen: a change naming another one shows the table changed. */
  readonly known: Set<string>;

  constructor(
    readonly plan: StreamPlan,
    public columns: LiveColumns,
    public version: number,
    /** Transactions committed before this position are already downstream. */
    lsn: Lsn,
    /** Whether `lsn` came from the input state (only those may be confirmed to the slot). */
    readonly lsnFromInput: boolean,
    readonly log: StreamLog,
    /** How the database's text reads (wal2json writes it in the database's encoding). */
    private readonly text: DatabaseText = UTF8_TEXT,
  ) {
    this.position = lsn;
    this.tables = [{ schema: plan.schema, table: plan.table }];
    this.known = new Set([...plan.knownColumns, ...columns.tableColumns]);
    this.useColumns(columns);
  }

  /** The table's columns changed while changes were read (schema drift): read and write by the new ones. */
  useColumns(columns: LiveColumns, seen: Iterable<string> = []): void {
    this.columns = columns;
    for (const name of [...columns.tableColumns, ...seen]) this.known.add(name);
    this.formatter = this.newFormatter();
    this.reader = new Wal2JsonRowReader(columns.names, this.text.decode, this.known);
    this.newRow = new RowSlots(columns.names.length);
    this.oldRow = new RowSlots(columns.names.length);
  }

  /** Every selected change committed before this position is downstream (the bookmark rule: log-bookmarks.ts). */
  get lsn(): Lsn {
    return this.position;
  }

  /** Only LogBookmarks moves a stream's position while changes are read. */
  moveTo(lsn: Lsn): void {
    this.position = lsn;
  }

  /** Where a copy made in an exported snapshot leaves the stream: its snapshot's consistent point. */
  copiedUpTo(consistentPoint: Lsn): void {
    this.position = consistentPoint;
  }

  /**
   * Writes the RECORD line of an insert, update or delete in the common shape, read from the
   * message bytes at `pos` (just after the table name). False, with nothing written, sends the
   * change down the general path: a column missing (unchanged TOAST), a changed key, or a document
   * the fast reader does not expect.
   */
  writeFast(data: Buffer, pos: number, action: number, deletedAt: string, writer: MessageWriter): boolean {
    const { reader, newRow, oldRow } = this;
    if (action === ActionByte.Delete) {
      oldRow.clear();
      if (reader.readArray(data, pos, IDENTITY_KEY, oldRow) === -1) return false;
      const line = this.formatter.deleteTokens(oldRow.tokens(data, this.text.decode), deletedAt);
      if (line === null) return false;
      writer.push(line, this.log);
      return true;
    }
    if (action !== ActionByte.Insert && action !== ActionByte.Update) return false;
    newRow.clear();
    const end = reader.readArray(data, pos, COLUMNS_KEY, newRow);
    if (end === -1) return false;
    // An update that carries the old identity (its key changed, or REPLICA IDENTITY FULL) takes the
    // general path, which compares the keys once for both paths.
    if (action === ActionByte.Update && data[end] === 44 /* , */) return false;
    const out = writer.beginLine();
    let written = false;
    try {
      written = this.formatter.upsertBytes(data, newRow, out);
    } finally {
      // Nothing of a line left unfinished (refused, or a converter threw) may reach stdout.
      if (!written) out.abandonLine();
    }
    if (written) writer.endLine(this.log);
    return written;
  }


  /** Where to read a row's current values by key (unchanged TOAST values). */
  get rowTarget(): RowTarget {
    const keys = new Map(this.plan.keyProperties.map((key) => [key, this.columns.types[this.columns.names.indexOf(key)]?.sqlType ?? 'text']));
    return { schema: this.plan.schema, table: this.plan.table, names: this.columns.names, keys };
  }

  /**
   * The tables whose changes belong to this stream: the table itself, or for a partitioned table
   * its leaf partitions (wal2json names the partition a row lives in, never the parent).
   */
  tables: readonly { schema: string; table: string }[];

  /** Whether the stream's table is partitioned: its changes come from `tables`, its partitions. */
  get partitioned(): boolean {
    const [first] = this.tables;
    return this.tables.length !== 1 || first?.schema !== this.plan.schema || first?.table !== this.plan.table;
  }

  /** schema.table, for log lines. */
  get qualifiedName(): string {
    return `${this.plan.schema}.${this.plan.table}`;
  }

  newVersion(version: number): void {
    this.version = version;
    this.formatter = this.newFormatter();
  }

  private newFormatter(): ChangeFormatter {
    const bytea = new Set(this.columns.names.filter((_name, i) => this.columns.types[i]?.typname === 'bytea'));
    return changeFormatter(this.plan.stream, { names: this.columns.names, converters: this.columns.converters, keys: this.plan.keyProperties, bytea, types: this.columns.types, text: this.text }, this.version);
  }
}
