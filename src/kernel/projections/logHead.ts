import type { EventStore } from '../types/eventStore.js';

/**
 * Where a runner is told the log's head. Woken by this process's own append, the store knows it
 * without a read of the log (`knownHead`): a round trip on the log's readers saved per runner
 * (there are ~30) per commit. Caught up with that, the runner waits for its next append or the
 * poll interval before it asks the log, and so finds other processes' appends no later than when
 * it is idle. A catch-up to the end (`exact`) always asks.
 *
 * Where the store knows its own appends (SQLite), an idle runner's read only looks for another
 * process's, which the poll interval finds anyway: those reads are shared, one begun within the
 * last `waitMs` answering every runner (each of some forty idle runners read the head four
 * times a second, about a hundred queries a second from an idle server). A shared read that
 * began before this runner's last head is not taken: a new one is begun.
 */
interface SharedRead {
  at: number;
  head: Promise<number>;
}
const sharedReads = new WeakMap<EventStore, SharedRead>();

export class LogHead {
  /** The head last found. */
  position = 0;
  /** Whether `position` came from the store's own appends, not from a read of the log. */
  private known = false;

  constructor(
    private readonly store: EventStore,
    /** The longest wait for an append before the log is asked. */
    private readonly waitMs: number,
  ) {}

  /** Asks the log. */
  async read(): Promise<number> {
    return (this.position = await this.store.headPosition());
  }

  /**
   * The head to read up to from `caughtUpTo`; undefined: it waited for an append (or the wait's
   * end) instead, look again. `mayWait`: being caught up is the runner's idle state (not, say,
   * a finished rebuild about to be swapped in).
   */
  async next(caughtUpTo: number, { exact, mayWait, signal }: { exact: boolean; mayWait: boolean; signal: AbortSignal }): Promise<number | undefined> {
    const known = exact ? 0 : (this.store.knownHead?.() ?? 0);
    if (known > this.position) {
      this.known = true;
      return (this.position = known);
    }
    if (this.known && caughtUpTo === this.position && mayWait) {
      this.known = false;
      await this.store.waitForAppend(this.position, this.waitMs, signal);
      return undefined;
    }
    this.known = false;
    return exact || !this.store.knownHead ? this.read() : this.polled();
  }

  /** The head from a read shared with the other idle runners (see `sharedReads`). */
  private async polled(): Promise<number> {
    const first = this.sharedRead();
    let head = await first.head;
    // Begun before this runner's last head (its own append, say): one begun now answers.
    if (head < this.position) head = await this.sharedRead(first).head;
    // Still below: the log went back (restored), taken as a read of its own would take it.
    this.position = head < this.position ? head : Math.max(head, this.store.knownHead!());
    return this.position;
  }

  /** The read shared now: the current one, or a new one when it is older than `waitMs` or is `outdated`. */
  private sharedRead(outdated?: SharedRead): SharedRead {
    const current = sharedReads.get(this.store);
    if (current && current !== outdated && Date.now() - current.at <= this.waitMs) return current;
    const fresh: SharedRead = { at: Date.now(), head: this.store.headPosition() };
    // A failed read is not kept for the others: the next one asks again.
    fresh.head.catch(() => sharedReads.get(this.store) === fresh && sharedReads.delete(this.store));
    sharedReads.set(this.store, fresh);
    return fresh;
  }
}
