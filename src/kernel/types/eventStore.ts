/**
 * The EventStore port: one append-only log in global position order, split into streams with
 * revisions. Adapters (sqlite, postgres, eventstoredb) all pass test/kernel/event-store-contract.
 *
 * Positions start at 1 and revisions at 0; "after position 0" means "from the beginning".
 */

/** `any`: no check. `no_stream`: the stream must not exist. `stream_exists`: it must. A number: its exact last revision. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface EventMetadata {
  /** The request or process this event belongs to. */
  correlationId?: string;
  /** The event or command that caused this one. */
  causationId?: string;
  /** The user (or system actor) on whose behalf the event was appended. */
  actor?: string;
  /** The module that appended it. */
  module?: string;
  /** W3C trace context of the work that appended it (when tracing is on): what reacts to the event continues the trace. */
  traceparent?: string;
  [key: string]: unknown;
}

export interface NewEvent {
  /** Optional; supply it to make a retried append idempotent. A UUID is generated otherwise. */
  id?: string;
  type: string;
  data: unknown;
  metadata?: EventMetadata;
}

export interface RecordedEvent<TData = unknown> {
  id: string;
  stream: string;
  revision: number;
  position: number;
  type: string;
  schemaVersion: number;
  data: TData;
  metadata: EventMetadata;
  /** ISO-8601 time of the commit. */
  recordedAt: string;
}

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  nextRevision: number;
  /** Global position of the last event appended. */
  position: number;
  /** Appends committed together with this one (group commit), when the store batches them. */
  batchSize?: number;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** First revision to return (inclusive); the default is the start (forwards) or the end (backwards). */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllFilter {
  eventTypes?: readonly string[];
  streamPrefixes?: readonly string[];
  /** Only the events of one conversation: those whose metadata carries this correlation id. */
  correlationId?: string;
}

export interface ReadAllOptions {
  /** Return events with a position strictly greater than this (default 0: from the start). */
  after?: number;
  /** Return no event past this position (used to read up to a snapshot of the head). */
  upTo?: number;
  maxCount?: number;
  filter?: ReadAllFilter;
}

export interface SubscribeOptions {
  after?: number;
  filter?: ReadAllFilter;
  batchSize?: number;
}

export interface Subscription {
  /** Stops delivery; resolves once the handler in flight (if any) has returned. */
  stop(): Promise<void>;
  /** Settles when the subscription ends: resolved on stop(), rejected when the handler throws. */
  readonly done: Promise<void>;
  /** Position of the last event delivered (or skipped by the filter). */
  readonly position: number;
}

export interface EventStore {
  /** A short name for logs and status: `sqlite`, `postgres`, `eventstoredb`. */
  readonly kind: string;
  append(stream: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** Events of one stream; an unknown stream reads as empty. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Last revision of a stream, or -1 when it does not exist. */
  streamRevision(stream: string): Promise<number>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * The highest position below which every event is committed and visible: a reader that has
   * seen everything up to the head has missed nothing.
   */
  headPosition(): Promise<number>;
  /**
   * A head known without reading the log, where the adapter can promise one: on SQLite positions
   * are dense and taken in commit order, so once this instance has committed an event, every
   * event up to it is committed and visible. It may be behind `headPosition()` (other processes'
   * later appends), never ahead. PostgreSQL commits out of position order and has none.
   */
  knownHead?(): number;
  /**
   * Resolves when the head may have moved past `after` (or after `timeoutMs`, or on `signal`).
   * Adapters wake it on their own commits at once and poll for other processes' commits.
   */
  waitForAppend(after: number, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** Catch-up subscription: delivers everything after `after` in global order, then goes live. */
  subscribe(options: SubscribeOptions, handler: (event: RecordedEvent) => Promise<void> | void): Subscription;
  close(): Promise<void>;
}
