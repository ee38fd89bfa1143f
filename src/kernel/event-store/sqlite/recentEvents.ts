import type { ReadAllOptions, RecordedEvent } from '../../types/eventStore.js';

/** Events kept: a runner that fell further behind than this reads the log as before. */
const DEFAULT_CAPACITY = 10_000;

/**
 * The events this process appended last, kept in memory as one run of consecutive positions, so
 * that the readers following the log's tail are answered without a query. Every projection
 * runner of every module reads the log after each append (its own event types, up to the head):
 * under bench:orders those reads were nine tenths of the statements on the store's one reader
 * connection, busy 97-99 % of the time, and each read parsed the same events' JSON again.
 *
 * Positions in a SQLite log are dense: a batch's rows follow the head it read, in the transaction
 * that inserts them. So a batch that does not start right after the run's last position means
 * another process appended in between, and the run starts again with it. A read is answered here
 * only when the run holds every position of its range (after, upTo]; anything else (no `upTo`, a
 * range reaching before the run or past it, another process's events) goes to the database.
 *
 * The rows are kept as written (the very arrays the insert bound) and turned into events (JSON
 * parsed, upcast) the first time a read returns them, once: appends pay no parsing for a tail
 * nobody reads from here. The events are frozen, as readers share them.
 */
export class RecentEvents<Row> {
  /** The rows as written (no copy) and, beside them, each one's event once a read has made it. */
  private rows: Row[] = [];
  private events: (RecordedEvent | undefined)[] = [];
  /** Position of rows[0]: the run's positions are consecutive. */
  private firstPosition = 0;
  /** Index of the first row kept (dropping from the front is deferred, then done in one slice). */
  private start = 0;

  constructor(
    private readonly codec: RowCodec<Row>,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  /** A committed batch's rows, in position order with no gaps. */
  add(batch: readonly Row[]): void {
    if (batch.length === 0) return;
    const position = this.codec.position(batch[0]!);
    if (this.rows.length === 0 || position !== this.firstPosition + this.rows.length) {
      this.rows = [];
      this.events = [];
      this.firstPosition = position;
      this.start = 0;
    }
    for (const row of batch) {
      this.rows.push(row);
      this.events.push(undefined);
    }
    if (this.rows.length - this.start > this.capacity) this.start = this.rows.length - this.capacity;
    if (this.start > this.capacity) {
      this.rows = this.rows.slice(this.start);
      this.events = this.events.slice(this.start);
      this.firstPosition += this.start;
      this.start = 0;
    }
  }

  /** The events of (after, upTo] that pass the filter, at most maxCount; undefined when the run does not hold the whole range. */
  read({ after = 0, upTo, maxCount, filter = {} }: ReadAllOptions): RecordedEvent[] | undefined {
    if (upTo === undefined || this.rows.length === this.start) return undefined;
    const first = this.firstPosition + this.start;
    const last = this.firstPosition + this.rows.length - 1;
    if (upTo <= after) return [];
    if (after + 1 < first || upTo > last) return undefined;
    const types = filter.eventTypes && new Set(filter.eventTypes);
    const { streamPrefixes, correlationId } = filter;
    const found: RecordedEvent[] = [];
    const limit = maxCount ?? Number.POSITIVE_INFINITY;
    for (let i = after + 1 - this.firstPosition; i <= upTo - this.firstPosition && found.length < limit; i++) {
      const row = this.rows[i]!;
      if (types && !types.has(this.codec.type(row))) continue;
      if (streamPrefixes && !streamPrefixes.some((prefix) => this.codec.stream(row).startsWith(prefix))) continue;
      const event = (this.events[i] ??= deepFreeze(this.codec.toEvent(row)));
      if (correlationId !== undefined && event.metadata.correlationId !== correlationId) continue;
      found.push(event);
    }
    return found;
  }
}

/** How the run reads a row: where it goes and what it is without parsing it, and, when a read returns it, its event. */
export interface RowCodec<Row> {
  position(row: Row): number;
  type(row: Row): string;
  stream(row: Row): string;
  toEvent(row: Row): RecordedEvent;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
