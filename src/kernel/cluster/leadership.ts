import { performance } from 'node:perf_hooks';
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

/** What a leader does with a module: `lead` with the lease's fencing number, `follow` the holder. */
export interface Roles {
  lead(module: string, epoch: number): Promise<void>;
  follow(module: string): Promise<void>;
}

/**
 * The share of the lease's time to live a leader works after a renewal began: the lease runs at
 * least a full TTL from then (by the database's clock), so stopping at 90% leaves a tenth for
 * the stop itself. Less would make a loaded leader step down and back up for nothing (a slow
 * renewal is still a renewal); a leader late beyond it is held off by the fence anyway.
 */
const WORK_SHARE = 0.9;

/**
 * Keeps this process's leases: every module it serves is announced; for each, the process that
 * holds the lease runs its projections and processes, the others follow its checkpoints. A
 * holder that stops renewing (crashed, partitioned) loses the lease after its time to live, by
 * the database's clock. A leader whose renewals fail stops its work once 90% of the time to live
 * has passed since the last renewal began (its own monotonic clock), before the lease can have
 * expired; a leader paused longer than that (SIGSTOP) is stopped by the module's fence instead.
 */
export class Leadership {
  /** Modules led here: the lease's fencing number, and until when (performance.now()) work may go on without a renewal. */
  private readonly leading = new Map<string, { epoch: number; workUntil: number }>();
  private abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly cluster: ClusterOptions,
    private readonly modules: readonly string[],
    private readonly roles: Roles,
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

  /** Stops renewing, lets `stopWork` stop the projections and processes, then releases the leases. */
  async stop(stopWork: () => Promise<void> = async () => {}): Promise<void> {
    this.abort.abort();
    await this.running;
    await stopWork();
    for (const module of this.leading.keys()) await this.cluster.coordination.release(module, this.cluster.processId).catch(() => undefined);
    await this.cluster.coordination.leave(this.cluster.processId).catch(() => undefined);
    this.leading.clear();
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      // Wake for the next renewal, or earlier when a module's work must stop for want of one.
      const deadlines = [...this.leading.values()].map((l) => l.workUntil - performance.now());
      await sleep(Math.max(0, Math.min(this.ttlMs / 3, ...deadlines)), this.abort.signal);
      if (this.abort.signal.aborted) break;
      try {
        await this.round();
      } catch (error) {
        this.log.error({ err: error }, 'could not renew leases; will retry');
      }
      // Stopping a module's work may fail too (the database that failed the renewal is away): the
      // module is no longer led either way, and this loop must go on to take the lease back later.
      await this.stopOverdue().catch((error) => this.log.error({ err: error }, 'stopping the work of a lease not renewed failed; will retry'));
    }
  }

  /** Stops the work of modules whose lease may expire before a renewal can come through. */
  private async stopOverdue(): Promise<void> {
    for (const [module, lease] of this.leading) {
      if (performance.now() < lease.workUntil) continue;
      this.leading.delete(module);
      this.log.warn({ module }, 'lease not renewed in time: stopped its work here before the lease can have expired; following');
      await this.roles.follow(module);
    }
  }

  private async round(): Promise<void> {
    const { coordination, processId, url } = this.cluster;
    await coordination.announce({ processId, url, modules: [...this.modules] });
    for (const module of this.modules) {
      const began = performance.now();
      const held = this.leading.get(module);
      const lease = await coordination.take(module, processId, this.ttlMs, { renewing: held !== undefined });
      const workUntil = began + this.ttlMs * WORK_SHARE;
      if (lease && held && held.epoch === lease.epoch) {
        held.workUntil = workUntil;
        continue;
      }
      if (held) {
        // Lost, or taken back under a new number after it expired: stop the work done under the old one first.
        this.leading.delete(module);
        this.log.warn({ module, epoch: held.epoch, now: lease?.epoch }, lease ? 'the lease expired and was taken back: restarting its work under the new number' : 'lost the lease: following the holder');
        await this.roles.follow(module);
      }
      if (lease && performance.now() < workUntil) {
        this.log.info({ module, epoch: lease.epoch }, 'took the lease: running its projections and processes here');
        try {
          await this.roles.lead(module, lease.epoch);
          this.leading.set(module, { epoch: lease.epoch, workUntil });
        } catch (error) {
          // The fence is past this number already (a newer holder came and went): follow until the next round.
          this.log.warn({ module, err: error }, 'could not start leading; following');
          await this.roles.follow(module);
        }
      }
    }
  }
}
