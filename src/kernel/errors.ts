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

/** A kind of SeamsError: the HTTP status it becomes and the code its problem type ends in. */
function answeredWith(status: number, code: string) {
  return class extends SeamsError {
    override readonly status: number = status;
    override readonly code: string = code;
  };
}

/** Input that does not match its schema: nothing was written. */
export class ValidationError extends answeredWith(400, 'validation') {}

/** The stream's revision is not the one the caller expected (optimistic concurrency). */
export class WrongExpectedRevisionError extends answeredWith(409, 'wrong-expected-revision') {
  constructor(
    readonly stream: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`stream ${stream}: expected revision ${expected}, actual ${actual}`);
  }
}

/** An event id reused with different content: a retry must repeat the same events. */
export class DuplicateEventIdError extends answeredWith(409, 'duplicate-event-id') {
  constructor(readonly eventId: string, detail: string) {
    super(`event id ${eventId} already exists ${detail}`);
  }
}

export class NotFoundError extends answeredWith(404, 'not-found') {}

export class ConflictError extends answeredWith(409, 'conflict') {}

/** A well-formed request that references something the module does not know. */
export class UnprocessableError extends answeredWith(422, 'unprocessable') {}

export class UnauthorizedError extends answeredWith(401, 'unauthorized') {}

export class ForbiddenError extends answeredWith(403, 'forbidden') {}

/** An If-Match revision that is not the resource's current one (HTTP 412). */
export class PreconditionFailedError extends answeredWith(412, 'precondition-failed') {}

/** A module this one depends on cannot answer now (timeout, breaker open, not caught up). */
export class UnavailableError extends answeredWith(503, 'unavailable') {
  constructor(message: string, readonly retryAfterSeconds = 1) {
    super(message);
  }
}

/** Too many attempts; try again after `retryAfterSeconds` (HTTP 429). */
export class TooManyRequestsError extends answeredWith(429, 'too-many-requests') {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

/** A module breaks a rule of ownership (DESIGN.md); found at start-up. */
export class OwnershipError extends answeredWith(500, 'ownership') {}

/** An error another process answered with (its problem details), keeping its status. */
export class RemoteError extends answeredWith(500, 'remote') {
  constructor(status: number, message: string) {
    super(message);
    Object.defineProperty(this, 'status', { value: status });
  }
}

/**
 * Connection-level failures of a database (PostgreSQL restarting or stopped, a pool with no
 * connection to give, a socket cut, a session ended for idling in a transaction (25P03, a frozen
 * process woken up)): the request may well succeed in a moment, so they answer 503
 * with Retry-After, not 500. Errors of a statement itself (a constraint, a syntax) are not these.
 */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300', '25P03']);
const UNREACHABLE_MESSAGES = [/Connection terminated/i, /Knex: Timeout acquiring a connection/i, /Client has encountered a connection error/i, /the database system is (starting up|shutting down|in recovery mode)/i, /terminating connection due to administrator command/i, /Connection ended unexpectedly/i];

export function isDatabaseUnreachable(error: unknown): boolean {
  return someCause(error, (code, message) => (code !== undefined && (UNREACHABLE_CODES.has(code) || code.startsWith('08'))) || (message !== undefined && UNREACHABLE_MESSAGES.some((m) => m.test(message))));
}

/**
 * The database is there but would not let this statement through now: SQLite's write lock held
 * by another process past busy_timeout (SQLITE_BUSY, "database is locked"), PostgreSQL's
 * serialization failure, deadlock victim or lock not available. Contention, not a verdict on
 * the data: the same statement may well pass in a moment.
 */
const BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', '40001', '40P01', '55P03']);

export function isDatabaseBusy(error: unknown): boolean {
  return someCause(error, (code) => code !== undefined && BUSY_CODES.has(code));
}

/**
 * Unreachable or busy: what no retry counter should count and no projection should park for.
 * Projections back off and read the same events again, the process engine retries the command
 * without counting an attempt, HTTP answers 503 with Retry-After.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return isDatabaseUnreachable(error) || isDatabaseBusy(error);
}

/** Whether the error or one of its causes (knex wraps the driver's error) has a code or message that `test` accepts. */
function someCause(error: unknown, test: (code: string | undefined, message: string | undefined) => boolean): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (test(typeof code === 'string' ? code : undefined, typeof message === 'string' ? message : undefined)) return true;
  }
  return false;
}
