import type { Logger } from 'pino';

/** What a long-running part (the relay, the inbox) is doing, since when, and why it is held back: for its status. */
export class Phase<S extends string> {
  private since = new Date().toISOString();
  private reason: string | undefined;

  constructor(private current: S) {}

  get state(): S {
    return this.current;
  }

  get error(): string | undefined {
    return this.reason;
  }

  /** Moves to `state` (with the reason when held back); true when that changes anything (worth a log line). */
  enter(state: S, error?: string): boolean {
    if (state === this.current && error === this.reason) return false;
    this.since = new Date().toISOString();
    this.current = state;
    this.reason = error;
    return true;
  }

  describe(): { state: S; error?: string; since: string } {
    return { state: this.current, ...(this.reason ? { error: this.reason } : {}), since: this.since };
  }
}

/** A loop run in the background until stopped; stop() waits for it to finish its step. */
export class BackgroundLoop {
  private abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly what: string,
    private readonly log: Logger,
  ) {}

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  start(loop: (signal: AbortSignal) => Promise<void>): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = loop(this.abort.signal).catch((error) => this.log.error({ err: error }, `${this.what} stopped unexpectedly`));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.running = undefined;
  }
}
