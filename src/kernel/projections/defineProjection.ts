import type { Knex } from 'knex';
import type { EventContract, EventData } from '../contracts/events.js';
import type { RecordedEvent } from '../event-store/types.js';

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
  /** Event types this projection reads: its handlers' (and, with applyBatch, `events`'). */
  readonly eventTypes: readonly string[];
  readonly consumes: readonly EventContract[];
}

/** Handler for one event type, typed by its contract. */
export function on<C extends EventContract, TTables extends string = string>(
  contract: C,
  handle: (event: RecordedEvent<EventData<C>>, tx: ProjectionTx<TTables>) => Promise<void> | void,
): EventHandler<TTables> {
  return { contract, handle };
}

const NAME = /^[a-z][a-z0-9_]*$/;

export function defineProjection<TTables extends string>(definition: {
  name: string;
  version: number;
  tables: Record<TTables, (table: Knex.CreateTableBuilder) => void>;
  handlers?: EventHandler<TTables>[];
  /** With applyBatch: the event contracts the batch handler reads. */
  events?: EventContract[];
  applyBatch?: (events: RecordedEvent<any>[], tx: ProjectionTx<TTables>) => Promise<void>;
  waitsFor?: string[];
}): ProjectionDefinition<TTables> {
  const { name, version, tables, handlers = [], events = [], applyBatch, waitsFor = [] } = definition;
  if (!NAME.test(name)) throw new TypeError(`projection name "${name}" must be lower_snake_case`);
  if (!Number.isInteger(version) || version < 1) throw new TypeError(`projection ${name}: version must be a positive integer`);
  for (const table of Object.keys(tables)) {
    if (!NAME.test(table)) throw new TypeError(`projection ${name}: table name "${table}" must be lower_snake_case`);
  }
  if (handlers.length > 0 && applyBatch) throw new TypeError(`projection ${name}: give handlers or applyBatch, not both`);
  const consumes = [...new Set([...handlers.map((h) => h.contract), ...events])];
  const types = consumes.map((c) => c.type);
  if (new Set(types).size !== types.length) throw new TypeError(`projection ${name}: two handlers for one event type`);
  if (types.length === 0) throw new TypeError(`projection ${name} handles no event type`);
  return { name, version, tables, handlers, applyBatch, waitsFor, eventTypes: types, consumes };
}
