/**
 * The input state checked against the server before anything is confirmed to the slot. A stream's
 * `lsn` from the state must lie between the slot's confirmed position (the server cannot send what
 * came before it: it silently starts there) and the server's WAL end (a position it never wrote:
 * confirming it would skip every change up to it, for good). Either is refused with the two ways
 * out, unless the user accepts the gap for this run (--accept-lsn-gap): then the stream reads on
 * from the slot's position, with a warning naming what is not delivered.
 */
import { TapError } from '../../errors.js';
import { logger } from '../../log.js';
import { Lsn } from '../../state/lsn.js';
import type { LogStream } from './log-stream.js';

export interface SlotPosition {
  slotName: string;
  /** Up to where the slot was confirmed; the server sends nothing committed before it. */
  confirmedFlush: Lsn | null;
  /** The server's WAL insert position now. */
  walEnd: Lsn;
}

export function checkInputPositions(streams: readonly LogStream[], slot: SlotPosition, acceptGap: boolean): void {
  for (const stream of streams) {
    if (!stream.lsnFromInput) continue;
    const id = stream.plan.tapStreamId;
    const from = slot.confirmedFlush ?? stream.lsn;
    if (stream.lsn > slot.walEnd) {
      if (!acceptGap) throw ahead(id, stream.lsn, slot);
      logger('log-based').warn({ tap_stream_id: id }, `stream ${id}: its lsn ${Lsn.format(stream.lsn)} is beyond this server's WAL end ${Lsn.format(slot.walEnd)}; with --accept-lsn-gap it reads on from slot "${slot.slotName}" at ${Lsn.format(from)}`);
      stream.moveTo(from);
    } else if (slot.confirmedFlush !== null && stream.lsn < slot.confirmedFlush) {
      if (!acceptGap) throw behind(id, stream.lsn, slot);
      logger('log-based').warn({ tap_stream_id: id }, `stream ${id}: with --accept-lsn-gap, changes committed between ${Lsn.format(stream.lsn)} and ${Lsn.format(slot.confirmedFlush)} are not delivered; reading on from slot "${slot.slotName}"`);
      stream.moveTo(slot.confirmedFlush);
    }
  }
}

function ahead(id: string, lsn: Lsn, slot: SlotPosition): TapError {
  return new TapError('STATE_LSN_AHEAD', `stream ${id}: the state's lsn ${Lsn.format(lsn)} is beyond this server's WAL end ${Lsn.format(slot.walEnd)}: the state was written against another server (or one restored from a backup); nothing was confirmed to slot "${slot.slotName}"`, {
    hint: `Copy the stream again: tap-postgres state reset --state <state file> --stream ${id}; or, to read on from the slot's position without a copy, rerun once with --accept-lsn-gap.`,
  });
}

function behind(id: string, lsn: Lsn, slot: SlotPosition): TapError {
  const confirmed = Lsn.format(slot.confirmedFlush ?? Lsn.ZERO);
  return new TapError('STATE_LSN_BEHIND_SLOT', `stream ${id}: the state's lsn ${Lsn.format(lsn)} is behind slot "${slot.slotName}", which is confirmed up to ${confirmed}: changes committed in between can no longer be read (an older state file, or a slot recreated or advanced elsewhere)`, {
    hint: `Copy the stream again: tap-postgres state reset --state <state file> --stream ${id}; or accept that the changes between ${Lsn.format(lsn)} and ${confirmed} are lost: rerun once with --accept-lsn-gap.`,
  });
}
