import { DuplicateEventIdError } from '../errors.js';
import { checkRevision, type PreparedEvent } from './prepare.js';
import type { AppendResult, ExpectedRevision } from '../types/eventStore.js';

/**
 * Group commit for the SQL adapters: the queue in front of the writer (GroupCommit), and the
 * decision for a batch, kept free of I/O (decide): given the streams'
 * last revisions and the rows that already hold any of the batch's ids, it checks every append
 * of a batch in order (against the log and the batch's earlier appends) and lists the rows to
 * insert.
 *
 * Rows are numbered by their index in the batch: the adapter turns an index into a position
 * (SQLite: head + index + 1; PostgreSQL: from the inserting transaction's id, known only once
 * the insert has run).
 */

export interface PendingAppend {
  stream: string;
  events: PreparedEvent[];
  expected: ExpectedRevision;
  /** False when every id was generated here: then no id can already exist, and the lookup is skipped. */
  callerIds: boolean;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** An event already in the log (position known) or accepted earlier in this batch (index known). */
export interface KnownEvent {
  stream: string;
  revision: number;
  type: string;
  data: string;
  position?: number;
  index?: number;
}

/** A row to insert; its position comes from the adapter (see above). */
export interface NewRow {
  index: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  schemaVersion: number;
  data: string;
  metadata: string;
}

export type Decision = Error | { nextRevision: number; position?: number; index?: number };

export function decide(
  batch: readonly PendingAppend[],
  revisions: Map<string, number>,
  known: Map<string, KnownEvent>,
): { decisions: Decision[]; rows: NewRow[] } {
  const rows: NewRow[] = [];
  const decisions = batch.map((append): Decision => {
    const found = append.events.map((e) => known.get(e.id));
    if (found.some((row) => row !== undefined)) return retryOutcome(append, found);
    const current = revisions.get(append.stream) ?? -1;
    try {
      checkRevision(append.stream, append.expected, current);
    } catch (error) {
      return error as Error;
    }
    let revision = current;
    for (const e of append.events) {
      revision++;
      const index = rows.length;
      rows.push({ index, id: e.id, stream: append.stream, revision, type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: e.metadata });
      known.set(e.id, { stream: append.stream, revision, type: e.type, data: e.data, index });
    }
    revisions.set(append.stream, revision);
    return { nextRevision: revision, index: rows.length - 1 };
  });
  return { decisions, rows };
}

/** An append whose ids exist: the same events again is a no-op success, anything else an error. */
function retryOutcome(append: PendingAppend, found: (KnownEvent | undefined)[]): Decision {
  for (const [i, e] of append.events.entries()) {
    const row = found[i];
    if (!row) {
      const existing = append.events.find((_, j) => found[j])!.id;
      return new DuplicateEventIdError(existing, 'while others of the same append do not: a retry must repeat the same events');
    }
    if (row.stream !== append.stream || row.type !== e.type || row.data !== e.data) {
      return new DuplicateEventIdError(e.id, `in stream ${row.stream} with other content`);
    }
  }
  const last = found[found.length - 1]!;
  return { nextRevision: last.revision, position: last.position, index: last.index };
}

/**
 * The queue in front of a SQL adapter's writer. Appends that arrive while a commit runs are
 * committed together by the next one, each with its own outcome. If a commit fails as a whole,
 * each of its appends is committed alone, so that one cannot sink the others — unless `final`
 * says the failure must not be repeated (PostgreSQL: the outcome is unknown).
 */
export class GroupCommit<A extends PendingAppend> {
  private queue: A[] = [];
  private draining: Promise<void> | null = null;

  constructor(
    private readonly options: {
      commit(batch: A[]): Promise<(AppendResult | Error)[]>;
      /** How many of the queued appends (at least one) the next commit takes. */
      take(queue: readonly A[]): number;
      final?(error: unknown): boolean;
    },
  ) {}

  enqueue(append: Omit<A, 'resolve' | 'reject'>): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push(Object.assign(append, { resolve, reject }) as A);
      this.draining ??= this.drain();
    });
  }

  /** Resolves once every append queued so far has its outcome. */
  async idle(): Promise<void> {
    await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commitWithFallback(this.queue.splice(0, this.options.take(this.queue)));
    } finally {
      this.draining = null;
    }
  }

  private async commitWithFallback(batch: A[]): Promise<void> {
    try {
      const outcomes = await this.options.commit(batch);
      batch.forEach((append, i) => {
        const outcome = outcomes[i]!;
        if (outcome instanceof Error) append.reject(outcome);
        else append.resolve({ ...outcome, batchSize: batch.length });
      });
    } catch (error) {
      if (batch.length === 1 || this.options.final?.(error)) return batch.forEach((append) => append.reject(error));
      for (const append of batch) await this.commitWithFallback([append]);
    }
  }
}
