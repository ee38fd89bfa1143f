import type { Knex } from 'knex';
import type { EventContract } from './contracts.js';
import type { RecordedEvent } from './eventStore.js';

/** What a projection handler gets: the batch's transaction and its tables' physical names. */
export interface ProjectionTx<TTables extends string = string> {
  db: Knex.Transaction;
  tables: Record<TTables, string>;
}

export interface EventHandler<TTables extends string = string> {
  contract: EventContract;
  handle(event: RecordedEvent<any>, tx: ProjectionTx<TTables>): Promise<void> | void;
}

export interface ProjectionDefinition<TTables extends string = string> {
  readonly name: string;
  /**
   * Bump it when the tables or handlers change meaning: the new version is rebuilt from the log
   * into new tables in the background while the old ones keep serving, then swapped in.
   */
  readonly version: number;
  /** Logical table name → its columns. Physical names carry a generation suffix (see `tables`). */
  readonly tables: Record<TTables, (table: Knex.CreateTableBuilder) => void>;
  readonly handlers: readonly EventHandler<TTables>[];
  /**
   * Optional: handle a whole batch at once (e.g. one multi-row upsert) instead of event by event.
   * It receives only events of the handled types, in order.
   */
  readonly applyBatch?: (events: RecordedEvent<any>[], tx: ProjectionTx<TTables>) => Promise<void>;
  /** Other projections of the module it reads: each batch waits until they have caught up to it. */
  readonly waitsFor: readonly string[];
  /**
   * What happens when a handler keeps failing on an event: `park` (default) sets that event's
   * stream aside and goes on with every other stream; `stop` stops the whole projection there.
   */
  readonly onFailure: 'park' | 'stop';
  /** Event types this projection reads: its handlers' (and, with applyBatch, `events`'). */
  readonly eventTypes: readonly string[];
  readonly consumes: readonly EventContract[];
}

/** Anything whose tables a module reads: a projection (view or replica) or a process. */
export interface HasTables<TTables extends string = string> {
  readonly name: string;
  readonly tables: Record<TTables, unknown>;
}

/** Where a reader finds a module's projections: a module context, or a process's transaction. */
export interface TableReader {
  db: Knex | Knex.Transaction;
  tables<T extends string>(of: HasTables<T>): Record<T, string>;
  tables(projection: string): Record<string, string>;
}

export type ProjectionState = 'catching-up' | 'live' | 'building' | 'failed' | 'ahead-of-log' | 'retired' | 'stopped';

export interface ProjectionStatus {
  module: string;
  projection: string;
  version: number;
  generation: number;
  position: number;
  headPosition: number;
  lag: number;
  /** Age in seconds of the oldest event of its types it has not applied (0 when caught up); set where the log is at hand. */
  lagSeconds?: number;
  state: ProjectionState;
  error?: { message: string; position: number | null; eventId: string | null };
  /** Streams set aside after a handler kept failing on one of their events (see `onFailure`). */
  parked?: ParkedStream[];
  /** A generation being rebuilt beside the serving one. */
  building?: { generation: number; version: number; position: number };
}

/** A stream a projection set aside: its first parked event (with the handler's error) and how many wait behind it. */
export interface ParkedStream {
  stream: string;
  /** Parked events of the stream, the first included. */
  events: number;
  position: number;
  eventId: string;
  error: string;
  /** An operator asked to retry it; its leader replays it shortly. */
  retrying: boolean;
}

export interface Progress {
  position: number;
  head: number;
  events: number;
}
