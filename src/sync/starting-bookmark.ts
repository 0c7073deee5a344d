import { logger } from '../log.js';
import type { StreamPlan } from '../selection/stream-plan.js';
import { continueFrom } from '../state/stream-bookmark.js';
import type { Bookmark } from '../state/tap-state.js';
import type { StateKeeper } from './state-keeper.js';

/** The stream's usable bookmark; an outdated one is dropped from state with a log line. */
export function startingBookmark(plan: StreamPlan, state: StateKeeper): Bookmark | undefined {
  const decision = continueFrom(state.bookmark(plan.tapStreamId), plan.replicationMethod, plan.replicationKey);
  if (decision.resetReason !== null) {
    logger('sync').warn({ tap_stream_id: plan.tapStreamId }, `stream ${plan.tapStreamId}: ${decision.resetReason}; its bookmark is reset and the stream starts over`);
    state.removeBookmark(plan.tapStreamId);
  }
  return decision.bookmark;
}
