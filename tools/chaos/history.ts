/**
 * What the workload did and what the system answered (the history), and what the system holds
 * once it is quiet (the observation): the checker's two inputs, plain data so a test can
 * fabricate them.
 */

export const WRITE_KINDS = [
  'register', 'login', 'badLogin', 'logout', 'profile', 'item', 'customer', 'order', 'cancellation',
  'customerDeletion', 'job', 'report', 'conversation', 'message', 'duplicateRegistration',
] as const;
export type WriteKind = (typeof WRITE_KINDS)[number];

/** One write, however many times it was sent (retries carry the same request id and idempotency key). */
export interface WriteRecord {
  kind: WriteKind;
  /** `X-Request-Id`: the correlation and causation id of every event the request appends. */
  requestId: string;
  method: string;
  path: string;
  attempts: number;
  /** The last answer's status; null when no attempt got an answer. */
  status: number | null;
  /** `Event-Position` of the last answer, when it had one. */
  position: number | null;
  /** Some attempt got no answer or a 5xx: whether it took effect is unknown (Jepsen's "info"). */
  uncertain: boolean;
}

/** A request answered 500: never right, whatever the fault (a fault may make a module unavailable: 503). */
export interface InternalError {
  method: string;
  path: string;
  detail: string;
}

export interface History {
  writes: WriteRecord[];
  /** Reads done by the workload (counted; checked only for 500s). */
  reads: number;
  internalErrors: InternalError[];
}

/** An event of the log, as the checker needs it. */
export interface LoggedEvent {
  position: number;
  type: string;
  stream: string;
  causationId: string | null;
  data: Record<string, unknown>;
}

export interface ProjectionChecksum {
  /** `<module>/<projection>`. */
  name: string;
  /** Checksum of the serving tables once quiet, and of the same tables after a fresh rebuild. */
  live: string;
  rebuilt: string;
}

export interface Observation {
  events: LoggedEvent[];
  /** Each customer's reservedCents as its read model says (null when deleted or unknown there). */
  customers: Record<string, number | null>;
  /** communications' mail log: one row per mail. */
  mailRecords: { mailId: string; subject: string; status: string }[];
  /** Each mail delivered: one per `.eml` file (named by its mail id), or per mail the campaign's SMTP server took. */
  deliveries: { subject: string; messageId: string }[];
  /** Where they were counted: a file per mail id hides a second delivery, SMTP shows it. */
  deliveredBy: 'files' | 'smtp';
  /** Each job pool as jobs' read model says. */
  pools: Record<string, { size: number; reserved: number }>;
  projections: ProjectionChecksum[];
  /** Anything else found wrong while observing (a stopped projection, an instance stuck past its timer, a due outbox row…). */
  problems: string[];
}
