import type { ReplicationMethod } from '../config/tap-config.js';

/** One selected stream, validated: what to read, how, and under which name to write it. */
export interface StreamPlan {
  readonly tapStreamId: string;
  readonly database: string;
  readonly schema: string;
  readonly table: string;
  readonly stream: string;
  readonly isView: boolean;
  /** Selected columns in table order; key columns and the replication key always included. */
  readonly columns: readonly string[];
  readonly keyProperties: readonly string[];
  readonly replicationMethod: ReplicationMethod;
  readonly replicationKey: string | null;
  /** Every column the catalog names (selected or not): a live column outside it was added since discovery. */
  readonly knownColumns: readonly string[];
  /** The catalog's `sql-datatype` of each selected column, to see a type changed since discovery. */
  readonly catalogTypes: Readonly<Record<string, string>>;
  /** The catalog's JSON schema of each selected column: a user may ask for another form there (json as a string, numbers as strings, dates as date). */
  readonly catalogSchemas: Readonly<Record<string, unknown>>;
}
