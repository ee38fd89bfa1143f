/**
 * What a bounded read of `$all` sees, in log order: events (matching or not: the server's
 * filter is coarser than ours), checkpoints (the server scanned up to here and found nothing
 * more for us) and "caught up" (everything written before the read began has been sent).
 */
export type RangeItem<T> =
  | { kind: 'event'; position: number; type: string; stream: string; metadata?: unknown; value: T }
  | { kind: 'checkpoint'; position: number }
  | { kind: 'caughtUp' };

export interface Range {
  /** Exclusive lower bound. */
  after: number;
  /** Inclusive upper bound: the caller's `upTo`, or the head when the read began. */
  upTo: number;
  maxCount: number;
}

/**
 * Collects the events of one `readAll` page from a scan that may go past the page: a
 * subscription runs on into the live log, a read may return events beyond `upTo`. `done`
 * turns true as soon as the page is complete, so the scan can be stopped there.
 */
export class RangeCollector<T> {
  readonly values: T[] = [];
  /** Highest position known to be scanned: a valid place to resume the scan from (exclusive). */
  scanned: number;
  done: boolean;

  constructor(
    private readonly range: Range,
    private readonly matches: (type: string, stream: string, metadata: unknown) => boolean,
  ) {
    this.scanned = range.after;
    this.done = range.maxCount <= 0 || range.after >= range.upTo;
  }

  /** Takes the next item of the scan; returns `done`. */
  accept(item: RangeItem<T>): boolean {
    if (this.done) return true;
    switch (item.kind) {
      case 'event':
        // A resumed scan starts at (and so repeats) the position it resumes from.
        if (item.position <= this.scanned) break;
        if (item.position > this.range.upTo) return this.finish();
        this.scanned = item.position;
        if (this.matches(item.type, item.stream, item.metadata)) this.values.push(item.value);
        if (this.values.length >= this.range.maxCount || item.position === this.range.upTo) return this.finish();
        break;
      case 'checkpoint':
        if (item.position > this.scanned) this.scanned = item.position;
        if (item.position >= this.range.upTo) return this.finish();
        break;
      case 'caughtUp':
        // Everything up to the head the read began with has been sent, hence seen.
        return this.finish();
    }
    return false;
  }

  /** The scan reached the end of the log (a short page of an unfiltered read). */
  endOfLog(): void {
    this.done = true;
  }

  private finish(): true {
    this.done = true;
    return true;
  }
}
