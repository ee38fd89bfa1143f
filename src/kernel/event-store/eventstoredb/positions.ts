import { START, type Position, type ReadPosition } from '@eventstore/db-client';

/**
 * EventStoreDB addresses `$all` by {commit, prepare}: byte offsets of log records in its
 * transaction file. Every event appended through gRPC is its own implicitly committed record,
 * so the server reports commit === prepare === the record's offset, unique per event and
 * increasing in commit order. The port's `position` is that commit offset.
 *
 * Offsets are not dense: the next event is not at `position + 1`, and a number between two
 * records is no position at all; the server refuses to read from one. So `after` must be 0 or a
 * position this store handed out (an event's position, a head, a subscription's position).
 *
 * The port's positions are JavaScript numbers, exact up to 2^53 - 1. As a byte offset that is
 * 8 PiB of transaction log; past it a number would silently round to a neighbouring record, so
 * the conversion refuses instead.
 *
 * Events of legacy explicit transactions (TCP clients) share one commit offset and differ in
 * prepare; one number cannot tell them apart, so resuming in the middle of such a transaction
 * would skip its rest. seams writes through gRPC only, which has no explicit transactions.
 */

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** -1 as an unsigned 64-bit integer: how older servers say "no position" on stream reads. */
const NO_POSITION = (1n << 64n) - 1n;

export class PositionOutOfRangeError extends Error {}

/** The port's number for an EventStoreDB position: its commit offset. */
export function toPortPosition(position: Pick<Position, 'commit'>): number {
  const { commit } = position;
  if (commit === NO_POSITION || commit < 0n) {
    throw new PositionOutOfRangeError('EventStoreDB reported no log position for an event (servers before 22.6 omit it on stream reads; use 22.10 or later)');
  }
  if (commit > MAX_SAFE) {
    throw new PositionOutOfRangeError(`EventStoreDB log position ${commit} is beyond 2^53 - 1, the largest position the EventStore port can represent exactly`);
  }
  return Number(commit);
}

/**
 * The position of a read event. `$all` reads report it twice (on the record and on the resolved
 * event); stream reads carry it on the record only, and servers before 22.6 leave it unset
 * there (0, or -1 as unsigned), which is refused rather than passed on as a wrong position.
 */
export function eventPosition(recordCommit: bigint | undefined, resolvedCommit: bigint | undefined): number {
  const known = [recordCommit, resolvedCommit].find((c) => c !== undefined && c > 0n && c !== NO_POSITION);
  return toPortPosition({ commit: known ?? NO_POSITION });
}

/** The position to hand the server for "after `after`"; 0 is the start of the log. */
export function toReadPosition(after: number): ReadPosition {
  if (!Number.isSafeInteger(after) || after < 0) throw new RangeError(`a position must be a non-negative safe integer, got ${after}`);
  if (after === 0) return START;
  const offset = BigInt(after);
  // commit === prepare: the key of the implicitly committed record that starts at this offset.
  return { commit: offset, prepare: offset };
}

/** A stream revision (or the client's bigint count) as a number, refusing values past 2^53 - 1. */
export function toRevisionNumber(revision: bigint): number {
  if (revision < 0n || revision > MAX_SAFE) throw new PositionOutOfRangeError(`stream revision ${revision} is out of the range the EventStore port represents`);
  return Number(revision);
}
