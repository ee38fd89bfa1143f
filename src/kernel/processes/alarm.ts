/**
 * A loop's wake-up: rung while it works, it makes one more pass; rung while it sleeps, it ends the
 * sleep. Plain callbacks, no AbortController: every outbox write rings, and an abort makes a
 * DOMException with a stack each time.
 */
export class Alarm {
  rung = false;
  private wake: (() => void) | undefined;

  ring(): void {
    this.rung = true;
    this.wake?.();
  }

  sleep(ms: number, stop: AbortSignal): Promise<void> {
    if (this.rung || stop.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      stop.addEventListener('abort', done, { once: true });
    });
  }
}
