/**
 * How the PostgreSQL adapter turns its read cursor into the port's one number.
 *
 * Readers see only events written by transactions below the snapshot horizon
 * (`pg_snapshot_xmin`), so the real cursor is (writing transaction id, index of the event in
 * that transaction). A transaction that commits late still has its own, older id, so ordering by
 * commit-time sequence numbers could skip it; ordering by transaction id cannot, because no
 * transaction below the horizon can still commit.
 *
 *   position = transactionId * 2^20 + index
 *
 * Limits, both enforced by CHECK constraints on the table (see the migration) and here:
 * - at most 2^20 (1,048,576) events per transaction (indexes 0 .. 2^20 - 1), so the index fits 20 bits;
 * - transaction ids below 2^33 (about 8.6 billion, i.e. the second xid epoch), so positions stay
 *   below 2^53 and remain exact JavaScript numbers.
 *
 * Positions are therefore strictly increasing in read order but NOT dense: they jump by the
 * transactions in between, including rolled-back ones, which leave no row and so no hole to wait on.
 */

export const INDEX_BITS = 20;
export const MAX_EVENTS_PER_TRANSACTION = 2 ** INDEX_BITS;
export const MAX_TRANSACTION_ID = 2n ** 33n;

export function encodePosition(transactionId: bigint, index: number): number {
  if (transactionId < 0n || transactionId >= MAX_TRANSACTION_ID) {
    throw new RangeError(`transaction id ${transactionId} is beyond 2^33: positions would no longer be exact numbers`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= MAX_EVENTS_PER_TRANSACTION) {
    throw new RangeError(`event index ${index} in one transaction is beyond 2^${INDEX_BITS}`);
  }
  return Number(transactionId) * MAX_EVENTS_PER_TRANSACTION + index;
}

export function decodePosition(position: number): { transactionId: bigint; index: number } {
  return { transactionId: BigInt(Math.floor(position / MAX_EVENTS_PER_TRANSACTION)), index: position % MAX_EVENTS_PER_TRANSACTION };
}
