import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamDeletedError,
  TimeoutError,
  UnavailableError as ClientUnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  ConflictError,
  DuplicateEventIdError,
  SeamsError,
  UnavailableError,
  ValidationError,
  WrongExpectedRevisionError,
} from '../../errors.js';
import type { ExpectedRevision } from '../../types/eventStore.js';
import { describeRevision, fromClientCurrentRevision, satisfies } from './expectedRevision.js';

/** What an append asked for, to phrase the server's refusal in our terms. */
export interface AppendAttempt {
  stream: string;
  expected: ExpectedRevision;
  eventIds: readonly string[];
}

/**
 * The server's refusal of an append as one of our errors. A wrong expected version whose
 * reported revision would have met our expectation (always so for `any`) is no concurrency
 * conflict: it is how EventStoreDB answers an append that repeats some ids of an earlier one
 * but not all of them ("corrupted idempotency"), so it becomes a DuplicateEventIdError.
 */
export function toAppendError(error: unknown, attempt: AppendAttempt): unknown {
  if (error instanceof WrongExpectedVersionError) {
    return wrongExpectedRevision(attempt, fromClientCurrentRevision(error.actualVersion));
  }
  return toSeamsError(error);
}

/** The error for a refused append, given the stream's actual last revision (-1: none). */
export function wrongExpectedRevision(attempt: AppendAttempt, actual: number): Error {
  const { stream, expected, eventIds } = attempt;
  if (satisfies(expected, actual)) {
    return new DuplicateEventIdError(
      eventIds[0]!,
      `(or another id of this append does) in stream ${stream} while others do not: a retry must repeat the same events`,
    );
  }
  return new WrongExpectedRevisionError(stream, String(expected), describeRevision(actual));
}

/** Client errors that say "not now" rather than "never": a subscription resubscribes after them. */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof ClientUnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError ||
    error instanceof CancelledError
  );
}

/** Client errors the HTTP layer should see as ours; anything else is passed on unchanged. */
export function toSeamsError(error: unknown): unknown {
  if (error instanceof SeamsError) return error;
  if (isTransient(error)) {
    return withCause(new UnavailableError(`EventStoreDB is unavailable: ${describe(error)}`), error);
  }
  if (error instanceof MaxAppendSizeExceededError) {
    return withCause(new ValidationError(`the append is larger than EventStoreDB accepts (${error.maxAppendSize} bytes)`), error);
  }
  if (error instanceof StreamDeletedError) {
    return withCause(new ConflictError(`stream ${error.streamName} was deleted in EventStoreDB and cannot be written again`), error);
  }
  if (error instanceof AccessDeniedError) {
    return withCause(new SeamsError(`EventStoreDB denied access: the connection's user must be allowed to read $all and write the streams (${describe(error)})`), error);
  }
  return error;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message || (error as { type?: string }).type || 'no detail';
}

function withCause<E extends Error>(error: E, cause: unknown): E {
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, configurable: true, writable: true });
  return error;
}
