import type { ModuleContext } from './context.js';

/**
 * A position in a log, as clients see it: the integer of today in a deployment with one store;
 * `<store>:<position>` once modules are split over stores (a token names the store it comes from).
 */
export interface PositionToken {
  /** The store the position belongs to; absent for a bare integer (the serving deployable's own store). */
  store?: string;
  position: number;
}

/** What a request asks to have been seen before it is served (API.md, "Min-Position"). */
export interface RequestedPositions {
  /** The client's own `Min-Position`: every token it names that can be resolved. */
  client: readonly PositionToken[];
  /** Tokens a gateway adds (what it has seen written in other stores): only those of other stores count. */
  seen: readonly PositionToken[];
}

/**
 * How a deployable writes `Event-Position` and waits for `Min-Position`: over its one store, or
 * (split over stores) over its own store and its inbox's progress in the stores it receives from.
 */
export interface Positions {
  format(position: number): string;
  /** Resolves true once `ctx`'s module has seen every position it can resolve; false when `timeoutMs` ran out first. */
  reached(ctx: ModuleContext, requested: RequestedPositions, timeoutMs: number): Promise<boolean>;
}
