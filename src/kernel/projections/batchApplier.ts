import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { sleep } from '../event-store/subscription.js';
import type { RecordedEvent } from '../types/eventStore.js';
import type { EventHandler, ProjectionDefinition, ProjectionState, ProjectionTx } from '../types/projection.js';
import type { Checkpoints } from './checkpoints.js';
import { advance, setState, type Generation } from './generations.js';

export interface RetryOptions {
  /** Attempts per batch (then per event) before the projection stops as `failed`. */
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Test hook: runs inside each batch transaction after the handlers, before the commit. */
  beforeCommit?: (events: RecordedEvent[], to: number) => Promise<void> | void;
}

/** Another runner moved this generation's row: the caller reloads. */
export class GenerationMoved extends Error {}

/**
 * Applies batches of events to one generation: the handlers' writes and the new checkpoint in
 * one transaction of the module's database. A failing batch is retried one event at a time with
 * backoff, and the projection stops `failed` at the poison event, visibly (which event, which error).
 */
export class BatchApplier {
  private readonly handlers: Map<string, EventHandler>;

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
      if (error instanceof GenerationMoved) throw error;
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
        if (error instanceof GenerationMoved) throw error;
        lastError = error;
      }
    }
    if (!signal.aborted) await this.fail(g, events[0], lastError);
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
      const tx: ProjectionTx = { db: trx, tables: this.tablesOf(g.generation) };
      if (this.definition.applyBatch) {
        if (events.length > 0) await this.definition.applyBatch(events, tx);
      } else {
        for (const event of events) await this.handlers.get(event.type)!.handle(event, tx);
      }
      await this.options.beforeCommit?.(events, to);
      if (!(await advance(trx, g, from, to, next))) throw new GenerationMoved();
    });
    this.checkpoints.committed(g, to);
    g.position = to;
    g.state = next;
    this.onApplied(g, to, events.length, true);
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
