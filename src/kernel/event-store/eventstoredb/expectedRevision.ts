import { ANY, NO_STREAM, STREAM_EXISTS, type AppendExpectedRevision, type CurrentRevision } from '@eventstore/db-client';
import type { ExpectedRevision } from '../../types/eventStore.js';
import { toRevisionNumber } from './positions.js';

/** Our expected revision as the client's: the three states by name, an exact revision as a bigint. */
export function toClientExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

/** The client's "current revision" as our number: -1 when the stream does not exist. */
export function fromClientCurrentRevision(current: CurrentRevision): number {
  return current === NO_STREAM ? -1 : toRevisionNumber(current);
}

/** The `actual` string of a WrongExpectedRevisionError: 'no_stream' or the last revision. */
export function describeRevision(revision: number): string {
  return revision === -1 ? 'no_stream' : String(revision);
}

/** Whether a stream whose last revision is `actual` (-1: none) meets `expected`. */
export function satisfies(expected: ExpectedRevision, actual: number): boolean {
  return (
    expected === 'any' ||
    (expected === 'no_stream' && actual === -1) ||
    (expected === 'stream_exists' && actual >= 0) ||
    expected === actual
  );
}
