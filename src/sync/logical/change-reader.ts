/**
 * The change loop of one database as a state machine: reading → stopping → stopped. Every
 * message, keepalive and stop request goes through one of its methods, in the order the session
 * delivers them, so the stop decision, the intake of messages and the bookmark rule are one step:
 * once `stop()` has run, no message is read and no bookmark moves (LogBookmarks is frozen), so a
 * STATE can never claim a change that was received but not written.
 */
import { TapError } from '../../errors.js';
import { MAX_ROW_BYTES } from '../../postgres/copy/copy-row-scanner.js';
import type { MessageWriter } from '../../singer/message-writer.js';
import { Lsn } from '../../state/lsn.js';
import { valueConverter } from '../../values/index.js';
import type { StateKeeper } from '../state-keeper.js';
import { StateCadence } from '../state-cadence.js';
import type { ChangeDecoder, ChangeSink, Transaction } from './change-decoder.js';
import { LogBookmarks } from './log-bookmarks.js';
import type { LogStream } from './log-stream.js';

export type ReaderPhase = 'reading' | 'stopping' | 'stopped';

export interface ChangeReaderOptions {
  writer: MessageWriter;
  state: StateKeeper;
  stateIntervalRows: number;
  /** break_at_end_lsn: the WAL insert position captured at start, or null. */
  endLsn: Lsn | null;
  /** Called once, at the decision to stop: the session should end. */
  onStop: () => void;
}

/** STATE also goes out at a commit this long after the last one, when records were written since. */
const STATE_EVERY_MS = 5_000;
const TIMESTAMPTZ = valueConverter({ sqlType: 'timestamp with time zone', typname: 'timestamptz', typtype: 'b', typcategory: 'D', typmod: -1, notNull: true });

export class ChangeReader implements ChangeSink {
  transaction: Transaction | null = null;
  /** RECORD lines written. */
  changes = 0;
  /** Messages received, read or not: the watchdog compares it to see whether the session is quiet. */
  messages = 0;
  private currentPhase: ReaderPhase = 'reading';
  private reason: string | null = null;
  private readonly bookmarks: LogBookmarks;
  private readonly cadence: StateCadence;

  constructor(private readonly streams: readonly LogStream[], private readonly decoder: ChangeDecoder, private readonly options: ChangeReaderOptions) {
    this.bookmarks = new LogBookmarks(streams);
    this.cadence = new StateCadence(options.stateIntervalRows, STATE_EVERY_MS);
  }

  get phase(): ReaderPhase {
    return this.currentPhase;
  }

  get stopReason(): string | null {
    return this.reason;
  }

  /** A message of the session. After the decision to stop it is not read at all. */
  message(data: Buffer, start: number): Promise<void> | undefined {
    this.messages++;
    if (this.currentPhase !== 'reading') return undefined;
    // The same bound as a COPY row: past it the values could not become strings at all.
    if (data.length - start > MAX_ROW_BYTES) return Promise.reject(changeTooLarge(data.length - start, this.transaction?.commitLsn ?? null));
    return this.decoder.read(data, start, this);
  }

  /** A keepalive: `drained` says every message received before it has been handled. */
  keepalive(walEnd: Lsn, drained: boolean): void {
    if (this.currentPhase !== 'reading' || !drained || this.transaction !== null) return;
    this.bookmarks.idle(walEnd);
    const { endLsn } = this.options;
    if (endLsn !== null && walEnd >= endLsn) this.stop('caught up with the WAL end captured at start (break_at_end_lsn)');
  }

  begin(commitLsn: Lsn, commitTime: string): void {
    this.transaction = { commitLsn, deletedAt: JSON.parse(TIMESTAMPTZ(commitTime)) as string };
    const now = new Date();
    for (const stream of this.streams) stream.formatter.setTimeExtracted(now);
  }

  commit(commitLsn: Lsn, endLsn: Lsn): Promise<void> {
    this.transaction = null;
    this.bookmarks.committed(commitLsn);
    // Decided here, before any later message can be read.
    const { endLsn: stopAt } = this.options;
    if (stopAt !== null && endLsn >= stopAt) this.stop('reached the WAL end captured at start (break_at_end_lsn)');
    return this.afterCommit();
  }

  wrote(records: number): void {
    this.changes += records;
    this.cadence.add(records);
  }

  /** The decision to stop (first reason wins). Nothing read after it counts. */
  stop(reason: string): void {
    if (this.currentPhase !== 'reading') return;
    this.currentPhase = 'stopping';
    this.reason = reason;
    this.bookmarks.freeze();
    this.options.onStop();
  }

  /** The session has ended (or failed): a final STATE covers exactly what was written. */
  async finish(): Promise<void> {
    this.stop('the session ended');
    this.currentPhase = 'stopped';
    await this.emitState();
    await this.options.writer.flush();
  }

  private async afterCommit(): Promise<void> {
    if (this.cadence.due) await this.emitState();
    // A committed transaction goes downstream now, not when 64 KB have piled up.
    await this.options.writer.flush();
  }

  private async emitState(): Promise<void> {
    const { state } = this.options;
    for (const stream of this.streams) {
      state.setBookmark(stream.plan.tapStreamId, { last_replication_method: 'LOG_BASED', version: stream.version, lsn: Lsn.toBookmark(stream.lsn) });
    }
    await state.emit();
    this.cadence.emitted();
  }
}

function changeTooLarge(bytes: number, commitLsn: Lsn | null): TapError {
  const where = commitLsn === null ? '' : ` in the transaction committed at ${Lsn.format(commitLsn)}`;
  return new TapError('VALUE_TOO_LARGE', `a change of ${Math.round(bytes / 2 ** 20)} MiB${where} holds more than ${MAX_ROW_BYTES / 2 ** 20} MiB of values`, {
    hint: 'Find the row with pg_logical_slot_peek_changes on the slot; keep values that large out of LOG_BASED tables (or deselect the stream and copy it FULL_TABLE with the column deselected).',
  });
}
