import type { Logger } from 'pino';
import { sleep } from '../event-store/subscription.js';
import type { Coordination } from './coordination.js';

export interface ClusterOptions {
  coordination: Coordination;
  /** Stable across restarts of the same process slot (e.g. host:port), so a restart takes its lease back at once. */
  processId: string;
  /** Where other processes reach this one. */
  url: string;
  leaseTtlMs?: number;
  adminToken?: string;
}

/**
 * Keeps this process's leases: every module it serves is announced; for each, the process that
 * holds the lease runs its projections and processes, the others follow its checkpoints. A
 * holder that stops renewing (crashed, partitioned) loses the lease after its time to live.
 */
export class Leadership {
  private readonly leading = new Set<string>();
  private abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly cluster: ClusterOptions,
    private readonly modules: readonly string[],
    private readonly roles: { lead(module: string): Promise<void>; follow(module: string): Promise<void> },
    private readonly log: Logger,
  ) {}

  get ttlMs(): number {
    return this.cluster.leaseTtlMs ?? 10_000;
  }

  /** Takes the leases it can right away, then keeps renewing them in the background. */
  async start(): Promise<void> {
    await this.round();
    this.running = this.loop();
  }

  isLeading(module: string): boolean {
    return this.leading.has(module);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    for (const module of this.leading) await this.cluster.coordination.release(module, this.cluster.processId).catch(() => undefined);
    await this.cluster.coordination.leave(this.cluster.processId).catch(() => undefined);
    this.leading.clear();
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      await sleep(this.ttlMs / 3, this.abort.signal);
      if (this.abort.signal.aborted) break;
      try {
        await this.round();
      } catch (error) {
        this.log.error({ err: error }, 'could not renew leases; will retry');
      }
    }
  }

  private async round(): Promise<void> {
    const { coordination, processId, url } = this.cluster;
    await coordination.announce({ processId, url, modules: [...this.modules] });
    for (const module of this.modules) {
      const holds = await coordination.acquire(module, processId, this.ttlMs);
      if (holds && !this.leading.has(module)) {
        this.leading.add(module);
        this.log.info({ module }, 'took the lease: running its projections and processes here');
        await this.roles.lead(module);
      } else if (!holds && this.leading.has(module)) {
        this.leading.delete(module);
        this.log.warn({ module }, 'lost the lease: following the holder');
        await this.roles.follow(module);
      }
    }
  }
}
