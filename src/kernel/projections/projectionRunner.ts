import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { EventStore, RecordedEvent } from '../event-store/types.js';
import { sleep } from '../event-store/subscription.js';
import type { ProjectionDefinition, ProjectionTx } from './defineProjection.js';
import { describeProjection, type ProjectionStatus } from './status.js';
import {
  advance,
  createGeneration,
  dropGeneration,
  loadGeneration,
  loadGenerations,
  physicalTables,
  setState,
  swap,
  type Generation,
  type ProjectionState,
} from './generations.js';

export interface RunnerOptions {
  batchSize?: number;
  /** Attempts per batch (then per event) before the projection stops as `failed`. */
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How often a stopped (failed) projection looks whether an operator retried or skipped it. */
  recheckMs?: number;
  /** Runs before each batch, outside its transaction (e.g. waiting for the projections it reads). */
  beforeBatch?: (to: number, signal: AbortSignal) => Promise<void>;
  /** Runs after each committed batch (e.g. to wake whoever delivers what the batch wrote). */
  afterBatch?: () => void;
  /** Test hook: runs inside each batch transaction after the handlers, before the commit. */
  beforeCommit?: (events: RecordedEvent[], to: number) => Promise<void> | void;
  /**
   * A batch without events of this projection's types (the log moved on with other events) moves
   * the checkpoint in memory at once but writes it at most this often (and on stop): otherwise
   * every runner would commit a write for every append anywhere in the log. Default 1000 ms.
   */
  idleCheckpointMs?: number;
}

export interface Progress {
  position: number;
  head: number;
  events: number;
}

/** Thrown inside a batch when another runner moved this generation: roll back and reload. */
class GenerationMoved extends Error {}

/**
 * Keeps one projection up to date: reads the log after its checkpoint in batches and commits
 * each batch's writes together with the new checkpoint, in one transaction of the module's own
 * database (at-least-once delivery, exactly-once effect, safe across crashes and restores).
 */
export class ProjectionRunner {
  private serving!: Generation;
  private building: Generation | undefined;
  private head = 0;
  private running: Promise<void> | undefined;
  private abort = new AbortController();
  private readonly progress = new EventEmitter();
  private readonly handlers: Map<string, ProjectionDefinition['handlers'][number]>;
  /** Where each generation's checkpoint row is, when it lags the position in memory (see idleCheckpointMs). */
  private readonly written = new WeakMap<Generation, { position: number; at: number }>();
  private readonly named = new Map<number, Readonly<Record<string, string>>>();

  constructor(
    readonly module: string,
    readonly definition: ProjectionDefinition,
    private readonly store: EventStore,
    private readonly db: Knex,
    private readonly log: Logger,
    private readonly options: RunnerOptions = {},
  ) {
    this.handlers = new Map(definition.handlers.map((h) => [h.contract.type, h]));
    this.progress.setMaxListeners(0);
  }

  get name(): string {
    return this.definition.name;
  }

  /** Physical names of the serving generation's tables: what reads must use. */
  get tables(): Record<string, string> {
    // Before the first generation exists (a follower starting before the leader) its name is known anyway.
    return this.tablesOf(this.serving?.generation ?? 1);
  }

  /** Named once per generation: reads ask on every request. */
  private tablesOf(generation: number): Record<string, string> {
    let tables = this.named.get(generation);
    if (!tables) this.named.set(generation, (tables = Object.freeze(physicalTables(this.definition, generation))));
    return tables;
  }

  /**
   * Loads (or creates) the generations. A building generation of the current version is resumed
   * (an interrupted rebuild goes on); one of another version is dropped; a serving generation of
   * an older version gets a new building generation beside it.
   */
  async load(): Promise<void> {
    const generations = await loadGenerations(this.db, this.name);
    this.serving = generations.find((g) => g.serving) ?? (await createGeneration(this.db, this.definition, true));
    this.building = undefined;
    for (const g of generations.filter((g) => !g.serving)) {
      if (!this.building && g.state === 'building' && g.version === this.definition.version) this.building = g;
      else await dropGeneration(this.db, this.definition, g.generation);
    }
    if (this.serving.version !== this.definition.version && !this.building) {
      this.log.info({ projection: this.name, from: this.serving.version, to: this.definition.version }, 'projection version changed: rebuilding beside the serving generation');
      this.building = await createGeneration(this.db, this.definition, false);
    }
  }

  /** Starts a fresh rebuild of the current version into a new generation; the serving one keeps answering. */
  async rebuild(): Promise<void> {
    await this.load();
    if (this.building) await dropGeneration(this.db, this.definition, this.building.generation);
    this.building = await createGeneration(this.db, this.definition, false);
  }

  /** Resumes a rebuild left by an interrupted run, or starts one. Returns the position it starts from. */
  async resumeOrRebuild(): Promise<number> {
    await this.load();
    this.building ??= await createGeneration(this.db, this.definition, false);
    return this.building.position;
  }

  /** Stops a runUntilCaughtUp after its current batch (e.g. on Ctrl-C); it can be resumed later. */
  interrupt(): void {
    this.abort.abort();
  }

  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = this.loop(this.abort.signal, false).catch((error) => {
      this.log.error({ err: error, projection: this.name }, 'projection runner stopped unexpectedly');
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.running = undefined;
    await this.writeCheckpoints();
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
        await sleep(intervalMs, signal);
      }
    })();
  }

  /** Reads the generations as they are, changing nothing (a follower must not create or drop). */
  async refresh(): Promise<void> {
    const generations = await loadGenerations(this.db, this.name);
    const serving = generations.find((g) => g.serving);
    if (serving) this.serving = serving;
    this.building = generations.find((g) => !g.serving && g.state === 'building');
    this.progress.emit('advanced');
  }

  /** Runs until the active generation reaches the head (and a rebuild is swapped in). For the CLI. */
  async runUntilCaughtUp(onProgress?: (p: Progress) => void): Promise<void> {
    const stop = (p: Progress) => onProgress?.(p);
    this.progress.on('batch', stop);
    try {
      await this.loop(this.abort.signal, true);
    } finally {
      this.progress.off('batch', stop);
      await this.writeCheckpoints();
    }
  }

  /** Resolves true once the serving generation has processed everything up to `position`. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const reached = () => (this.serving?.position ?? -1) >= position;
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

  get position(): number {
    return this.serving?.position ?? 0;
  }

  async status(): Promise<ProjectionStatus> {
    this.head = await this.store.headPosition();
    if (!this.serving) await this.refresh();
    if (!this.serving) return { module: this.module, projection: this.name, version: this.definition.version, generation: 0, position: 0, headPosition: this.head, lag: this.head, state: 'stopped' };
    return describeProjection(this.module, this.serving, this.building, this.head);
  }

  private async loop(signal: AbortSignal, untilCaughtUp: boolean): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    while (!signal.aborted) {
      const active = this.building ?? this.serving;
      if (active.state === 'failed' || active.state === 'ahead-of-log') {
        if (untilCaughtUp) throw new Error(`${this.module}/${this.name} is ${active.state}: ${active.error}`);
        await this.waitForOperator(active, signal);
        continue;
      }
      this.head = await this.store.headPosition();
      if (active.position > this.head) {
        await this.stopAheadOfLog(active);
        continue;
      }
      if (active.position === this.head) {
        if (this.building) {
          await this.swapIn(this.building);
          continue;
        }
        if (untilCaughtUp) return;
        if (active.state !== 'live') active.state = 'live';
        await this.store.waitForAppend(this.head, 1000, signal);
        continue;
      }
      const events = await this.store.readAll({
        after: active.position,
        upTo: this.head,
        maxCount: batchSize,
        filter: { eventTypes: this.definition.eventTypes },
      });
      const to = events.length < batchSize ? this.head : events[events.length - 1]!.position;
      if (events.length > 0) await this.options.beforeBatch?.(to, signal);
      await this.applyWithRetry(active, events, to, signal);
    }
  }

  /** Applies a batch; on failure retries it with backoff one event at a time, then stops the projection at the poison event. */
  private async applyWithRetry(g: Generation, events: RecordedEvent[], to: number, signal: AbortSignal): Promise<void> {
    try {
      await this.apply(g, events, to);
      return;
    } catch (error) {
      if (error instanceof GenerationMoved) return this.reload();
      if (events.length > 1) {
        this.log.warn({ err: error, projection: this.name }, 'batch failed: applying its events one by one');
        for (const event of events) {
          if (signal.aborted || g.state === 'failed') return;
          await this.applyWithRetry(g, [event], event.position, signal);
        }
        if (g.state !== 'failed' && !signal.aborted && g.position < to) await this.applyWithRetry(g, [], to, signal);
        return;
      }
    }
    const { maxAttempts = 5, backoffMs = 50, maxBackoffMs = 2000 } = this.options;
    let lastError: unknown;
    for (let attempt = 2; attempt <= maxAttempts && !signal.aborted; attempt++) {
      await sleep(Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 2)), signal);
      try {
        await this.apply(g, events, to);
        return;
      } catch (error) {
        if (error instanceof GenerationMoved) return this.reload();
        lastError = error;
      }
    }
    if (signal.aborted) return;
    const event = events[0];
    const message = lastError instanceof Error ? lastError.message : String(lastError);
    this.log.error({ projection: this.name, position: event?.position, err: lastError }, 'projection failed: stopped at this event');
    g.state = 'failed';
    g.error = message;
    g.errorPosition = event?.position ?? null;
    g.errorEventId = event?.id ?? null;
    await setState(this.db, g, 'failed', { message, position: event?.position, eventId: event?.id });
  }

  private async apply(g: Generation, events: RecordedEvent[], to: number): Promise<void> {
    const written = this.written.get(g) ?? { position: g.position, at: 0 };
    const from = written.position;
    const next: ProjectionState = g.serving ? (to >= this.head ? 'live' : 'catching-up') : 'building';
    if (events.length === 0 && next === g.state && Date.now() - written.at < (this.options.idleCheckpointMs ?? 1000)) {
      // Nothing to apply: the checkpoint row catches up later (a restart in between re-reads only events it skips).
      this.written.set(g, written);
      g.position = to;
      this.progress.emit('batch', { position: to, head: this.head, events: 0 } satisfies Progress);
      if (g === this.serving) this.progress.emit('advanced');
      return;
    }
    await this.db.transaction(async (trx) => {
      const tx: ProjectionTx = { db: trx, tables: this.tablesOf(g.generation) };
      if (this.definition.applyBatch) {
        if (events.length > 0) await this.definition.applyBatch(events, tx);
      } else {
        for (const event of events) await this.handlers.get(event.type)!.handle(event, tx);
      }
      await this.options.beforeCommit?.(events, to);
      if (!(await advance(trx, g, from, to, next))) throw new GenerationMoved();
    });
    this.written.set(g, { position: to, at: Date.now() });
    g.position = to;
    g.state = next;
    this.options.afterBatch?.();
    this.progress.emit('batch', { position: to, head: this.head, events: events.length } satisfies Progress);
    if (g === this.serving) this.progress.emit('advanced');
  }

  private async swapIn(building: Generation): Promise<void> {
    await this.writeCheckpoint(building);
    const old = this.serving;
    await swap(this.db, this.name, building.generation);
    await dropGeneration(this.db, this.definition, old.generation);
    building.serving = true;
    building.state = 'live';
    this.serving = building;
    this.building = undefined;
    this.log.info({ projection: this.name, generation: building.generation }, 'rebuilt projection swapped in');
    this.progress.emit('advanced');
  }

  /** Writes checkpoints that only moved in memory (idleCheckpointMs). */
  private async writeCheckpoints(): Promise<void> {
    for (const g of [this.serving, this.building]) if (g) await this.writeCheckpoint(g);
  }

  private async writeCheckpoint(g: Generation): Promise<void> {
    const written = this.written.get(g);
    if (!written || written.position === g.position || !['catching-up', 'live', 'building'].includes(g.state)) return;
    // A row someone else moved meanwhile stays as it is: the next load sees theirs.
    const moved = await this.db.transaction((trx) => advance(trx, g, written.position, g.position, g.state));
    if (moved) this.written.set(g, { position: g.position, at: Date.now() });
  }

  private async stopAheadOfLog(g: Generation): Promise<void> {
    const message =
      `checkpoint ${g.position} is ahead of the log's head ${this.head}: the log looks restored from an older backup. ` +
      `Events after ${this.head} may be written again at positions this projection believes it has seen; ` +
      `rebuild it (seams projections rebuild ${this.module}/${this.name}).`;
    this.log.error({ projection: this.name, position: g.position, head: this.head }, message);
    g.state = 'ahead-of-log';
    g.error = message;
    await setState(this.db, g, 'ahead-of-log', { message, position: g.position });
  }

  /** A stopped projection waits for `seams projections retry|skip|rebuild`, which edit its row. */
  private async waitForOperator(g: Generation, signal: AbortSignal): Promise<void> {
    await sleep(this.options.recheckMs ?? 1000, signal);
    const row = await loadGeneration(this.db, this.name, g.generation);
    if (!row || row.state !== g.state || row.position !== g.position || !row.serving !== !g.serving) await this.reload();
  }

  private async reload(): Promise<void> {
    await this.load();
    this.progress.emit('advanced');
  }
}
