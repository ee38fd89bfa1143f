import { isDatabaseUnavailable } from '../errors.js';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { sleep } from '../event-store/subscription.js';
import type { RecordedEvent } from '../types/eventStore.js';
import type { EventHandler, ProjectionDefinition, ProjectionState, ProjectionTx } from '../types/projection.js';
import type { Checkpoints } from './checkpoints.js';
import { advance, setState, type Generation } from './generations.js';
import { Fenced, type Fence } from './fence.js';
import { park, parkedStreamNames, stillParked, unpark } from './parking.js';

export interface RetryOptions {
  /** Attempts per batch (then per event) before the projection stops as `failed`. */
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The module's fence (in a cluster): every write transaction checks it, so a deposed leader's writes are refused. */
  fence?: Fence;
  /** Test hook: runs inside each batch transaction after the handlers, before the commit. */
  beforeCommit?: (events: RecordedEvent[], to: number) => Promise<void> | void;
}

/** Another runner moved this generation's row: the caller reloads. */
export class GenerationMoved extends Error {}

/**
 * Failures that say nothing about the events, so they are neither retried one by one, parked nor
 * failed but go to the runner: the generation moved, the fence was raised, or the database went
 * away or is busy (another process holds its write lock); the runner backs off and reads them again.
 */
const notTheEvents = (error: unknown) => error instanceof GenerationMoved || error instanceof Fenced || isDatabaseUnavailable(error);

/**
 * Applies batches of events to one generation: the handlers' writes and the new checkpoint in
 * one transaction of the module's database. A failing batch is retried one event at a time with
 * backoff; an event that still fails parks its stream (parking.ts) and the rest goes on, or, for a
 * projection with `onFailure: 'stop'`, the projection stops `failed` there, visibly (which event, which error).
 */
export class BatchApplier {
  private readonly handlers: Map<string, EventHandler>;
  /** Streams parked by this applier so far: the runner looks at the parked streams again when it grows. */
  parkings = 0;
  /**
   * The generation (its number) known to have no parked stream. Only this applier parks (the
   * module's leader; an operator's retry or skip only flags or removes), so it stays so until this
   * applier parks, and its batches skip the look, one statement in every batch's transaction.
   * A set that is not empty is looked at in every batch, as an operator may shrink it.
   */
  private unparked: number | undefined;

  constructor(
    private readonly definition: ProjectionDefinition,
    private readonly db: Knex,
    private readonly log: Logger,
    private readonly checkpoints: Checkpoints,
    private readonly tablesOf: (generation: number) => Record<string, string>,
    /** After each applied batch: `committed` false when only the position in memory moved. */
    private readonly onApplied: (g: Generation, to: number, events: number, committed: boolean) => void,
    private readonly options: RetryOptions = {},
  ) {
    this.handlers = new Map(definition.handlers.map((h) => [h.contract.type, h]));
  }

  /** Applies `events` and moves `g` to `to`; throws GenerationMoved when another runner moved it. */
  async applyWithRetry(g: Generation, events: RecordedEvent[], to: number, next: (to: number) => ProjectionState, signal: AbortSignal): Promise<void> {
    try {
      await this.apply(g, events, to, next(to));
      return;
    } catch (error) {
      if (notTheEvents(error)) throw error;
      if (events.length > 1) {
        this.log.warn({ err: error, projection: this.definition.name }, 'batch failed: applying its events one by one');
        for (const event of events) {
          if (signal.aborted || g.state === 'failed') return;
          await this.applyWithRetry(g, [event], event.position, next, signal);
        }
        if (g.state !== 'failed' && !signal.aborted && g.position < to) await this.applyWithRetry(g, [], to, next, signal);
        return;
      }
    }
    const { maxAttempts = 5, backoffMs = 50, maxBackoffMs = 2000 } = this.options;
    let lastError: unknown;
    for (let attempt = 2; attempt <= maxAttempts && !signal.aborted; attempt++) {
      await sleep(Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 2)), signal);
      try {
        await this.apply(g, events, to, next(to));
        return;
      } catch (error) {
        if (notTheEvents(error)) throw error;
        lastError = error;
      }
    }
    if (signal.aborted) return;
    if (this.definition.onFailure === 'park' && events.length === 1) await this.park(g, events[0]!, to, next(to), lastError);
    else await this.fail(g, events[0], lastError);
  }

  /** One attempt: handlers and checkpoint in one transaction (or, for an idle batch, the checkpoint in memory). */
  private async apply(g: Generation, events: RecordedEvent[], to: number, next: ProjectionState): Promise<void> {
    const from = this.checkpoints.rowPosition(g);
    if (events.length === 0 && this.checkpoints.mayDefer(g, next)) {
      g.position = to;
      this.onApplied(g, to, 0, false);
      return;
    }
    await this.db.transaction(async (trx) => {
      await this.options.fence?.check(trx);
      const tx: ProjectionTx = { db: trx, tables: this.tablesOf(g.generation) };
      // Events of a parked stream wait behind its first parked one: order within a stream holds.
      const parked = events.length > 0 ? await this.parkedStreams(trx, g) : new Set<string>();
      const go: RecordedEvent[] = [];
      for (const event of events) {
        if (parked.has(event.stream)) await park(trx, g, event, null);
        else go.push(event);
      }
      await this.handle(go, tx);
      await this.options.beforeCommit?.(events, to);
      if (!(await advance(trx, g, from, to, next))) throw new GenerationMoved();
    });
    this.checkpoints.committed(g, to);
    g.position = to;
    g.state = next;
    this.onApplied(g, to, events.length, true);
  }

  private async parkedStreams(trx: Knex.Transaction, g: Generation): Promise<Set<string>> {
    if (this.unparked === g.generation) return new Set();
    const parked = await parkedStreamNames(trx, g);
    if (parked.size === 0) this.unparked = g.generation;
    return parked;
  }

  /** Another process may have parked meanwhile (it led this module while this one did not): look again. */
  forgetParked(): void {
    this.unparked = undefined;
  }

  private async handle(events: RecordedEvent[], tx: ProjectionTx): Promise<void> {
    if (this.definition.applyBatch) {
      if (events.length > 0) await this.definition.applyBatch(events, tx);
    } else {
      for (const event of events) await this.handlers.get(event.type)!.handle(event, tx);
    }
  }

  /** Sets the poison event's stream aside and moves the checkpoint past it, in one transaction. */
  private async park(g: Generation, event: RecordedEvent, to: number, next: ProjectionState, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    this.log.error({ projection: this.definition.name, position: event.position, stream: event.stream, err: error }, 'projection parked a stream: its later events wait behind this one; the other streams go on');
    const from = this.checkpoints.rowPosition(g);
    this.unparked = undefined;
    await this.db.transaction(async (trx) => {
      await this.options.fence?.check(trx);
      await park(trx, g, event, message);
      if (!(await advance(trx, g, from, to, next))) throw new GenerationMoved();
    });
    this.checkpoints.committed(g, to);
    g.position = to;
    g.state = next;
    this.parkings++;
    this.onApplied(g, to, 1, true);
  }

  /**
   * An operator's retry of a parked stream: its parked events (in order, all below the
   * checkpoint) applied in one transaction, which also unparks the stream. Failing again, the
   * stream stays parked with the new error. Returns whether it went through.
   */
  async replay(g: Generation, stream: string, events: RecordedEvent[]): Promise<boolean> {
    try {
      await this.db.transaction(async (trx) => {
        await this.options.fence?.check(trx);
        await this.handle(events, { db: trx, tables: this.tablesOf(g.generation) });
        await unpark(trx, g, stream);
      });
      this.log.info({ projection: this.definition.name, stream, events: events.length }, 'parked stream retried: it goes on');
      return true;
    } catch (error) {
      if (error instanceof Fenced) throw error;
      this.log.error({ projection: this.definition.name, stream, err: error }, 'parked stream failed again: it stays parked');
      await stillParked(this.db, g, stream, events[0]?.position ?? 0, error instanceof Error ? error.message : String(error));
      return false;
    }
  }

  private async fail(g: Generation, event: RecordedEvent | undefined, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    this.log.error({ projection: this.definition.name, position: event?.position, err: error }, 'projection failed: stopped at this event');
    g.state = 'failed';
    g.error = message;
    g.errorPosition = event?.position ?? null;
    g.errorEventId = event?.id ?? null;
    await setState(this.db, g, 'failed', { message, position: event?.position, eventId: event?.id });
  }
}
