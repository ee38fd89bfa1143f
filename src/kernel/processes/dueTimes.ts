/**
 * When a process's loop has work it knows of without looking: the retries it put off, and the next
 * timer its last look found. It sleeps until the earliest, or the poll interval if that is sooner.
 */
export class DueTimes {
  private retries: number[] = [];
  /** The earliest timer not yet due at the last look (undefined: none). */
  nextTimer: number | undefined;

  retryAt(at: number): void {
    this.retries.push(at);
  }

  /**
   * How long to sleep from `now`. Forgets the retries due when the pass just made began to look
   * (`lookedAt`): it saw them. One that fell due while it looked is due now: no sleep.
   */
  sleepMs(pollMs: number, lookedAt: number, now = Date.now()): number {
    this.retries = this.retries.filter((at) => at > lookedAt);
    const earliest = this.retries.reduce((a, b) => Math.min(a, b), this.nextTimer ?? Infinity);
    return Math.max(0, Math.min(pollMs, earliest - now));
  }
}
