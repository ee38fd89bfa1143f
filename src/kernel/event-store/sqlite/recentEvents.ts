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
 * The rows are kept as written and turned into events (JSON parsed, upcast) the first time a read
 * returns them, once: appends pay nothing for a tail nobody reads from here. The events are
 * frozen, as readers share them.
 */
export class RecentEvents<Row extends TailRow = TailRow> {
  private run: Entry<Row>[] = [];
  /** Index in `run` of its first kept row (dropping from the front is deferred, then done in one slice). */
  private start = 0;

  constructor(
    private readonly toEvent: (row: Row) => RecordedEvent,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  /** A committed batch's rows, in position order with no gaps. */
  add(batch: readonly Row[]): void {
    if (batch.length === 0) return;
    const last = this.run.at(-1);
    if (!last || batch[0]!.position !== last.row.position + 1) {
      this.run = [];
      this.start = 0;
    }
    for (const row of batch) this.run.push({ row });
    if (this.run.length - this.start > this.capacity) this.start = this.run.length - this.capacity;
    if (this.start > this.capacity) {
      this.run = this.run.slice(this.start);
      this.start = 0;
    }
  }

  /** The events of (after, upTo] that pass the filter, at most maxCount; undefined when the run does not hold the whole range. */
  read({ after = 0, upTo, maxCount, filter = {} }: ReadAllOptions): RecordedEvent[] | undefined {
    if (upTo === undefined || this.run.length === this.start) return undefined;
    const first = this.run[this.start]!.row.position;
    const last = this.run.at(-1)!.row.position;
    if (upTo <= after) return [];
    if (after + 1 < first || upTo > last) return undefined;
    const types = filter.eventTypes && new Set(filter.eventTypes);
    const { streamPrefixes, correlationId } = filter;
    const found: RecordedEvent[] = [];
    const limit = maxCount ?? Number.POSITIVE_INFINITY;
    for (let i = this.start + (after + 1 - first); i <= this.start + (upTo - first) && found.length < limit; i++) {
      const entry = this.run[i]!;
      if (types && !types.has(entry.row.type)) continue;
      if (streamPrefixes && !streamPrefixes.some((prefix) => entry.row.stream.startsWith(prefix))) continue;
      const event = (entry.event ??= deepFreeze(this.toEvent(entry.row)));
      if (correlationId !== undefined && event.metadata.correlationId !== correlationId) continue;
      found.push(event);
    }
    return found;
  }
}

/** What the run needs of a row to place and filter it without parsing it. */
export interface TailRow {
  position: number;
  type: string;
  stream: string;
}

interface Entry<Row> {
  row: Row;
  event?: RecordedEvent;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
