import type { Knex } from 'knex';
import type { EventContract, RecordedEventOf } from '../types/contracts.js';
import type { RecordedEvent } from '../types/eventStore.js';
import type { EventHandler, ProjectionDefinition, ProjectionTx } from '../types/projection.js';

/** Handler for one event type, typed by its contract. */
export function on<C extends EventContract, TTables extends string = string>(
  contract: C,
  handle: (event: RecordedEventOf<C>, tx: ProjectionTx<TTables>) => Promise<void> | void,
): EventHandler<TTables> {
  return { contract, handle: handle as EventHandler<TTables>['handle'] };
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
  /** `park` (default): a failing event's stream is set aside and the rest goes on; `stop`: the projection stops there. */
  onFailure?: 'park' | 'stop';
}): ProjectionDefinition<TTables> {
  const { name, version, tables, handlers = [], events = [], applyBatch, waitsFor = [], onFailure = 'park' } = definition;
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
  return { name, version, tables, handlers, applyBatch, waitsFor, onFailure, eventTypes: types, consumes };
}
