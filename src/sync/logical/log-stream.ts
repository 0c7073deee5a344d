import type { RowTarget } from '../../postgres/fetch-row.js';
import type { StreamPlan } from '../../selection/stream-plan.js';
import type { Lsn } from '../../state/lsn.js';
import type { LiveColumns } from '../live-columns.js';
import type { StreamLog } from '../stream-log.js';
import { changeFormatter, type ChangeFormatter } from './change-record.js';

/** One LOG_BASED stream while changes are read: its columns, version and bookmark position. */
export class LogStream {
  formatter: ChangeFormatter;

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
