import type { EventStore } from '../types/eventStore.js';

/**
 * Where a runner is told the log's head. Woken by this process's own append, the store knows it
 * without a read of the log (`knownHead`): a round trip on the log's readers saved per runner
 * (there are ~30) per commit. Caught up with that, the runner waits for its next append or the
 * poll interval before it asks the log, and so finds other processes' appends no later than when
 * it is idle. A catch-up to the end (`exact`) always asks.
 */
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
    return this.read();
  }
}
