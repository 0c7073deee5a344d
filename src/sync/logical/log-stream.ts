import type { RowTarget } from '../../postgres/fetch-row.js';
import type { StreamPlan } from '../../selection/stream-plan.js';
import type { Lsn } from '../../state/lsn.js';
import type { LiveColumns } from '../live-columns.js';
import type { StreamLog } from '../stream-log.js';
import { changeFormatter, type ChangeFormatter } from './change-record.js';
import { Wal2JsonRowReader, type RowToken } from './wal2json-row.js';

const INSERT = 73; // I
const UPDATE = 85; // U
const DELETE = 68; // D

/** One LOG_BASED stream while changes are read: its columns, version and bookmark position. */
export class LogStream {
  formatter: ChangeFormatter;
  private readonly reader: Wal2JsonRowReader;
  private readonly newRow: RowToken[];
  private readonly oldRow: RowToken[];

  constructor(
    readonly plan: StreamPlan,
    readonly columns: LiveColumns,
    public version: number,
    /** Transactions committed before this position are already downstream. */
    public lsn: Lsn,
    /** Whether `lsn` came from the input state (only those may be confirmed to the slot). */
    readonly lsnFromInput: boolean,
    readonly log: StreamLog,
  ) {
    this.tables = [{ schema: plan.schema, table: plan.table }];
    this.formatter = this.newFormatter();
    this.reader = new Wal2JsonRowReader(columns.names);
    this.newRow = new Array<RowToken>(columns.names.length);
    this.oldRow = new Array<RowToken>(columns.names.length);
  }

  /**
   * The RECORD line of an insert, update or delete in the common shape, read from `pos` (just
   * after the table name); null sends the change down the general path: a column missing
   * (unchanged TOAST), a changed key, or a document the fast reader does not expect.
   */
  fastLine(text: string, pos: number, action: number, deletedAt: string): string | null {
    const { reader, newRow, oldRow } = this;
    if (action === DELETE) {
      oldRow.fill(undefined);
      return reader.readArray(text, pos, '"identity":', oldRow) === -1 ? null : this.formatter.deleteTokens(oldRow, deletedAt);
    }
    newRow.fill(undefined);
    const end = reader.readArray(text, pos, '"columns":', newRow);
    if (end === -1) return null;
    if (action === UPDATE && text.charCodeAt(end) === 44 /* , */) {
      oldRow.fill(undefined);
      if (reader.readArray(text, end + 1, '"identity":', oldRow) === -1 || this.formatter.keyChangedTokens(newRow, oldRow)) return null;
    } else if (action !== INSERT && action !== UPDATE) {
      return null;
    }
    return this.formatter.upsertTokens(newRow);
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

  /** `schema.table` as wal2json names each of them. */
  get tableKeys(): string[] {
    return this.tables.map((table) => `${table.schema}.${table.table}`);
  }

  get tableKey(): string {
    return `${this.plan.schema}.${this.plan.table}`;
  }

  newVersion(version: number): void {
    this.version = version;
    this.formatter = this.newFormatter();
  }

  private newFormatter(): ChangeFormatter {
    const bytea = new Set(this.columns.names.filter((_name, i) => this.columns.types[i]?.typname === 'bytea'));
    return changeFormatter(this.plan.stream, { names: this.columns.names, converters: this.columns.converters, keys: this.plan.keyProperties, bytea }, this.version);
  }
}
