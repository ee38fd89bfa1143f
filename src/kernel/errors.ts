/**
 * Typed errors that cross layers. Each carries the HTTP status it maps to, so the HTTP layer
 * can turn any of them into problem+json without knowing where they came from.
 */
export class SeamsError extends Error {
  readonly status: number = 500;
  readonly code: string = 'internal';
  /** Field-level detail (e.g. zod issues) that is safe to show a client. */
  readonly errors?: unknown;
  constructor(message: string, errors?: unknown) {
    super(message);
    this.name = new.target.name;
    if (errors !== undefined) this.errors = errors;
  }
}

/** Input that does not match its schema: nothing was written. */
export class ValidationError extends SeamsError {
  override readonly status = 400;
  override readonly code = 'validation';
}

/** The stream's revision is not the one the caller expected (optimistic concurrency). */
export class WrongExpectedRevisionError extends SeamsError {
  override readonly status = 409;
  override readonly code = 'wrong-expected-revision';
  constructor(
    readonly stream: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`stream ${stream}: expected revision ${expected}, actual ${actual}`);
  }
}

/** An event id reused with different content: a retry must repeat the same events. */
export class DuplicateEventIdError extends SeamsError {
  override readonly status = 409;
  override readonly code = 'duplicate-event-id';
  constructor(readonly eventId: string, detail: string) {
    super(`event id ${eventId} already exists ${detail}`);
  }
}

export class NotFoundError extends SeamsError {
  override readonly status = 404;
  override readonly code = 'not-found';
}

export class ConflictError extends SeamsError {
  override readonly status = 409;
  override readonly code = 'conflict';
}

/** A well-formed request that references something the module does not know. */
export class UnprocessableError extends SeamsError {
  override readonly status = 422;
  override readonly code = 'unprocessable';
}

export class UnauthorizedError extends SeamsError {
  override readonly status = 401;
  override readonly code = 'unauthorized';
}

export class ForbiddenError extends SeamsError {
  override readonly status = 403;
  override readonly code = 'forbidden';
}

/** A module this one depends on cannot answer now (timeout, breaker open, not caught up). */
export class UnavailableError extends SeamsError {
  override readonly status = 503;
  override readonly code = 'unavailable';
  constructor(message: string, readonly retryAfterSeconds = 1) {
    super(message);
  }
}

/** A module breaks a rule of ownership (DESIGN.md); found at start-up. */
export class OwnershipError extends SeamsError {
  override readonly code = 'ownership';
}

/** An If-Match revision that is not the resource's current one (HTTP 412). */
export class PreconditionFailedError extends SeamsError {
  override readonly status = 412;
  override readonly code = 'precondition-failed';
}

/** Too many attempts; try again after `retryAfterSeconds` (HTTP 429). */
export class TooManyRequestsError extends SeamsError {
  override readonly status = 429;
  override readonly code = 'too-many-requests';
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

/** An error another process answered with (its problem details), keeping its status. */
export class RemoteError extends SeamsError {
  override readonly code = 'remote';
  override readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}
