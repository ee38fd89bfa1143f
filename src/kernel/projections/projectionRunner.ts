import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../errors.js';
import { sleep } from '../event-store/subscription.js';
import { batchSpan } from './batchSpan.js';
import type { EventStore } from '../types/eventStore.js';
import type { Progress, ProjectionDefinition, ProjectionState, ProjectionStatus } from '../types/projection.js';
import { BatchApplier, GenerationMoved, type RetryOptions } from './batchApplier.js';
import { Checkpoints } from './checkpoints.js';
import { LogHead } from './logHead.js';
import { loadGeneration, type Generation } from './generations.js';
import { Fenced } from './fence.js';
import { ParkedLook } from './parkedLook.js';
import { ProjectionGenerations } from './projectionGenerations.js';
import { describeProjection } from './status.js';

export interface RunnerOptions extends RetryOptions {
  batchSize?: number;
  /** How often a stopped (failed) projection looks whether an operator retried or skipped it. */
  recheckMs?: number;
  /** Runs before each batch, outside its transaction (e.g. waiting for the projections it reads). */
  beforeBatch?: (to: number, signal: AbortSignal) => Promise<void>;
  /** Runs after each committed batch (e.g. to wake whoever delivers what the batch wrote). */
  afterBatch?: () => void;
  /** How often at most an idle checkpoint (no events of this projection's types) is written; default 1000 ms. */
  idleCheckpointMs?: number;
}

/** How often an idle leader looks for generations changed by another process (and wakes anyway). */
const LOOK_EVERY_MS = 400;

/**
 * When a runner next looks: on a beat shared by every runner (multiples of LOOK_EVERY_MS on the
 * clock), so that runners woken together look in the same turn, in one query (lookGenerations).
 */
export const nextBeat = () => (Math.floor(Date.now() / LOOK_EVERY_MS) + 1) * LOOK_EVERY_MS;

/**
 * Keeps one projection up to date: reads the log after its checkpoint in batches and hands each
 * to the applier (handlers and checkpoint in one transaction of the module's own database:
 * at-least-once delivery, exactly-once effect, safe across crashes and restores). The parts:
 * the generations it serves and builds, the applier with its retries, the checkpoints.
 */
export class ProjectionRunner {
  private readonly generations: ProjectionGenerations;
  private readonly checkpoints: Checkpoints;
  private readonly applier: BatchApplier;
  private readonly head: LogHead;
  private running: Promise<void> | undefined;
  private abort = new AbortController();
  private readonly progress = new EventEmitter();
  /** When the leader next looks whether another process (the CLI) changed its generations. */
  private nextLook = 0;
  /** The active generation's parked streams as last looked at, and the operator's retries. */
  private readonly parked: ParkedLook;
  /** Why the loop is being started again (a lost database connection), until it reads the log again. */
  private trouble: string | undefined;

  constructor(
    readonly module: string,
    readonly definition: ProjectionDefinition,
    private readonly store: EventStore,
    private readonly db: Knex,
    private readonly log: Logger,
    private readonly options: RunnerOptions = {},
  ) {
    this.progress.setMaxListeners(0);
    this.generations = new ProjectionGenerations(definition, db, log);
    this.checkpoints = new Checkpoints(db, options.idleCheckpointMs, options.fence);
    this.head = new LogHead(store, LOOK_EVERY_MS);
    this.applier = new BatchApplier(definition, db, log, this.checkpoints, (n) => this.generations.tablesOf(n), (g, to, events, committed) => this.applied(g, to, events, committed), options);
    this.parked = new ParkedLook(db, store, this.applier);
  }

  get name(): string {
    return this.definition.name;
  }

  /** Physical names of the serving generation's tables: what reads must use. */
  get tables(): Record<string, string> {
    // Before the first generation exists (a follower starting before the leader) its name is known anyway.
    return this.generations.tablesOf(this.generations.serving?.generation ?? 1);
  }

  get position(): number {
    return this.generations.serving?.position ?? 0;
  }

  load(): Promise<void> {
    return this.generations.load();
  }

  /** Starts a fresh rebuild of the current version into a new generation; the serving one keeps answering. */
  rebuild(): Promise<void> {
    return this.generations.rebuild();
  }

  resumeOrRebuild(): Promise<number> {
    return this.generations.resumeOrRebuild();
  }

  /** Reads the generations as they are, changing nothing (a follower must not create or drop). */
  async refresh(): Promise<void> {
    await this.generations.refresh();
    this.progress.emit('advanced');
  }

  /** Stops a runUntilCaughtUp after its current batch (e.g. on Ctrl-C); it can be resumed later. */
  interrupt(): void {
    this.abort.abort();
  }

  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.applier.forgetParked();
    const running: Promise<void> = this.loopAndRetry(this.abort.signal)
      .catch((error) => {
        // Deposed: a newer leader raised the module's fence. Its writes were refused; this runner stops (the lease round makes it follow).
        if (error instanceof Fenced) this.log.warn({ projection: this.name, err: error }, 'write refused by the fence: another process leads this module now; stopping here');
        else this.log.error({ err: error, projection: this.name }, 'projection runner stopped unexpectedly');
      })
      .finally(() => {
        if (this.running === running) this.running = undefined;
      });
    this.running = running;
  }

  /**
   * The loop, started again after any failure but the fence's, with back-off: a lost database
   * connection (PostgreSQL restarted) must not end a runner for good. While it retries, the
   * failure shows in status() as the runner's error; it clears once the log is read again.
   */
  private async loopAndRetry(signal: AbortSignal): Promise<void> {
    const { backoffMs = 50, maxBackoffMs = 2000 } = this.options;
    for (let failures = 0; !signal.aborted; failures++) {
      try {
        await this.loop(signal, false);
        return;
      } catch (error) {
        if (error instanceof Fenced || signal.aborted) throw error;
        const delay = Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(failures, 16));
        this.trouble = (error as Error).message ?? String(error);
        this.log.warn({ err: error, projection: this.name }, `projection runner failed; starting again in ${delay} ms`);
        await sleep(delay, signal);
        await this.reload().catch(() => undefined);
      }
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.running = undefined;
    // A deposed leader's checkpoint stays where the fence stopped it.
    // So does one whose database went away or stayed busy: the idle checkpoint is only a shortcut, the next holder reads those events again.
    await this.flushCheckpoints().catch((error) => {
      if (!(error instanceof Fenced) && !isDatabaseUnavailable(error)) throw error;
    });
  }

  /**
   * Follows the checkpoint that another process (the module's lease holder) advances, without
   * applying anything: waitFor and the tables stay right for reads served here.
   */
  follow(intervalMs = 100): void {
    if (this.running) return;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.running = (async () => {
      while (!signal.aborted) {
        await this.refresh().catch((error) => this.log.warn({ err: error, projection: this.name }, 'could not read the checkpoint'));
        if (Date.now() >= this.nextLook && this.generations.serving) {
          this.nextLook = nextBeat();
          await this.parked.look(this.generations.serving).catch(() => undefined);
        }
        await sleep(intervalMs, signal);
      }
    })();
  }

  /** Runs until the active generation reaches the head (and a rebuild is swapped in). For the CLI. */
  async runUntilCaughtUp(onProgress?: (p: Progress) => void): Promise<void> {
    const report = (p: Progress) => onProgress?.(p);
    this.progress.on('batch', report);
    try {
      await this.loop(this.abort.signal, true);
    } finally {
      this.progress.off('batch', report);
      await this.flushCheckpoints();
    }
  }

  /** Resolves true once the serving generation has processed everything up to `position`. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const reached = () => (this.generations.serving?.position ?? -1) >= position;
    if (reached()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const check = () => reached() && finish(true);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.progress.off('advanced', check);
        resolve(ok);
      };
      this.progress.on('advanced', check);
    });
  }

  async status(): Promise<ProjectionStatus> {
    await this.head.read();
    if (!this.generations.serving) await this.generations.refresh();
    const { serving, building } = this.generations;
    if (!serving) return { module: this.module, projection: this.name, version: this.definition.version, generation: 0, position: 0, headPosition: this.head.position, lag: this.head.position, state: 'stopped' };
    const described = describeProjection(this.module, serving, building, this.head.position, this.parked.streams);
    return this.trouble && !described.error ? { ...described, error: { message: `retrying: ${this.trouble}`, position: null, eventId: null } } : described;
  }

  private async loop(signal: AbortSignal, untilCaughtUp: boolean): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    while (!signal.aborted) {
      if (!untilCaughtUp && (await this.lookedElsewhere())) continue;
      const active = this.generations.active;
      if (active.state === 'failed' || (active.state === 'ahead-of-log' && untilCaughtUp)) {
        if (untilCaughtUp) throw new Error(`${this.module}/${this.name} is ${active.state}: ${active.error}`);
        await this.waitForOperator(active, signal);
        continue;
      }
      if ((await this.head.next(active.position, { exact: untilCaughtUp, mayWait: !this.generations.building, signal })) === undefined) continue;
      this.trouble = undefined;
      if (active.state === 'ahead-of-log' || active.position > this.head.position) {
        await this.rebuildAfterRestore(active);
        continue;
      }
      if (active.position === this.head.position) {
        if (this.generations.building) {
          await this.checkpoints.flush(active);
          await this.generations.swapIn();
          this.progress.emit('advanced');
          continue;
        }
        if (untilCaughtUp) return;
        if (active.state !== 'live') active.state = 'live';
        await this.checkpoints.flushIfIdle(active);
        await this.store.waitForAppend(this.head.position, LOOK_EVERY_MS, signal);
        continue;
      }
      const events = await this.store.readAll({ after: active.position, upTo: this.head.position, maxCount: batchSize, filter: { eventTypes: this.definition.eventTypes } });
      const to = events.length < batchSize ? this.head.position : events[events.length - 1]!.position;
      if (events.length > 0) await this.options.beforeBatch?.(to, signal);
      const next = (at: number): ProjectionState => (active.serving ? (at >= this.head.position ? 'live' : 'catching-up') : 'building');
      const parkings = this.applier.parkings;
      try {
        await batchSpan(this.module, this.name, events, to, () => this.applier.applyWithRetry(active, events, to, next, signal));
        if (this.applier.parkings !== parkings) this.nextLook = 0; // show the parked stream at once
      } catch (error) {
        if (!(error instanceof GenerationMoved)) throw error;
        await this.reload();
      }
    }
  }

  /**
   * Twice a second, whether the generations changed under this runner: a CLI rebuild against the
   * data directory of this running process creates a building generation (this runner takes it
   * over) or swaps one in (this runner serves it). Reads then move to the new tables well within a
   * second, while the old ones are kept for a grace period.
   */
  private async lookedElsewhere(): Promise<boolean> {
    if (Date.now() < this.nextLook) return false;
    this.nextLook = nextBeat();
    if (await this.generations.changedElsewhere()) {
      this.log.info({ projection: this.name }, 'generations changed by another process (a rebuild): reloading');
      await this.reload();
      return true;
    }
    await this.parked.lookAndRetry(this.generations.active);
    return false;
  }

  private applied(g: Generation, to: number, events: number, committed: boolean): void {
    if (committed) this.options.afterBatch?.();
    this.progress.emit('batch', { position: to, head: this.head.position, events } satisfies Progress);
    if (g === this.generations.serving) this.progress.emit('advanced');
  }

  private async flushCheckpoints(): Promise<void> {
    for (const g of [this.generations.serving, this.generations.building]) if (g) await this.checkpoints.flush(g);
  }

  /**
   * The log is behind this generation's checkpoint: it was restored from an older backup, and
   * events after its head may be written again at positions this projection believes it has
   * seen. The projection converges by itself: it is rebuilt from the log beside the serving
   * tables (which keep answering) and swapped in when caught up. A process is rebuilt the same
   * way: its instances replay from the restored log, and the commands they send are sent again
   * under the same ids when they decide the same (an id names the instance, the command's place
   * among its commands and its type), and under new ids when the restored log decides otherwise.
   */
  private async rebuildAfterRestore(g: Generation): Promise<void> {
    this.log.warn(
      { projection: this.name, position: g.position, head: this.head.position, generation: g.generation },
      `checkpoint ${g.position} is ahead of the log's head ${this.head.position}: the log looks restored from an older backup; rebuilding ${this.module}/${this.name} from the log (the serving tables answer until the rebuild is swapped in)`,
    );
    await this.generations.rebuild();
    this.progress.emit('advanced');
  }

  /** A stopped projection waits for `seams projections retry|skip|rebuild`, which edit its row. */
  private async waitForOperator(g: Generation, signal: AbortSignal): Promise<void> {
    await sleep(this.options.recheckMs ?? 1000, signal);
    const row = await loadGeneration(this.db, this.name, g.generation);
    if (!row || row.state !== g.state || row.position !== g.position || !row.serving !== !g.serving) await this.reload();
  }

  private async reload(): Promise<void> {
    this.applier.forgetParked();
    await this.generations.load();
    this.progress.emit('advanced');
  }
}
