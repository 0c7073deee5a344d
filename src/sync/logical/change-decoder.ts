/**
 * The seam between the change loop and an output plugin's messages. A decoder reads one message
 * of its plugin, writes the RECORD lines of a row change itself (it knows the message's shape),
 * and tells the reader about transaction boundaries and what it wrote. The reader owns everything
 * else: the open transaction, bookmarks, STATE and the decision to stop.
 */
import type { Lsn } from '../../state/lsn.js';

export interface Transaction {
  /** Where the transaction's commit record starts: the position bookmarks are made of. */
  readonly commitLsn: Lsn;
  /** The commit time as `_sdc_deleted_at` writes it. */
  readonly deletedAt: string;
}

export interface ChangeSink {
  /** The open transaction, or null between transactions. */
  readonly transaction: Transaction | null;
  /** A transaction begins; `commitTime` is PostgreSQL's text of its commit timestamp. */
  begin(commitLsn: Lsn, commitTime: string): void;
  /** The open transaction committed; every record of it is written. */
  commit(commitLsn: Lsn, endLsn: Lsn): Promise<void> | undefined;
  /** RECORD lines written for a change of the open transaction. */
  wrote(records: number): void;
}

export interface ChangeDecoder {
  /** START_REPLICATION options for the plugin. */
  options(): Readonly<Record<string, string>>;
  /**
   * The plugin refused an option an older release does not know: true if options() now leaves
   * it out (with a warning logged), so the session can start again.
   */
  fallBack(error: unknown): boolean;
  /** Reads the message in data[start..] (valid only during the call); a promise holds later messages. */
  read(data: Buffer, start: number, sink: ChangeSink): Promise<void> | undefined;
  /** True while the decoder runs a query on the database connection (the reader must not start another). */
  readonly querying: boolean;
}
