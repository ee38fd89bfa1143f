import type { Knex } from 'knex';
import { batchedGroupReads } from '../batchedReads.js';
import type { ProjectionDefinition, ProjectionState } from '../types/projection.js';

/**
 * A projection's data lives in generations: the serving one answers reads, a building one is
 * filled from the log beside it (after a version change or a rebuild) and swapped in when
 * caught up. Each generation's row in `projections` is its checkpoint, written in the same
 * transaction as its rows.
 */

export interface Generation {
  name: string;
  generation: number;
  version: number;
  position: number;
  state: ProjectionState;
  serving: boolean;
  error: string | null;
  errorPosition: number | null;
  errorEventId: string | null;
  /** When its row last changed (ms): a retired generation's tables are dropped some time after. */
  updatedAt?: number;
}

interface Row {
  name: string;
  generation: number;
  version: number;
  position: number | string;
  state: ProjectionState;
  serving: number | boolean;
  error: string | null;
  error_position: number | string | null;
  error_event_id: string | null;
  updated_at: number | string;
}

const toGeneration = (row: Row): Generation => ({
  name: row.name,
  generation: row.generation,
  version: row.version,
  position: Number(row.position),
  state: row.state,
  serving: Boolean(row.serving),
  error: row.error,
  errorPosition: row.error_position === null ? null : Number(row.error_position),
  errorEventId: row.error_event_id,
  updatedAt: Number(row.updated_at),
});

export const physicalTable = (table: string, generation: number) => `${table}_g${generation}`;

export function physicalTables(definition: ProjectionDefinition, generation: number): Record<string, string> {
  return Object.fromEntries(Object.keys(definition.tables).map((t) => [t, physicalTable(t, generation)]));
}

/**
 * The generations of the projections whose runners look in one turn, in one query: a module's
 * runners look on the same beat (LOOK_EVERY_MS) and, under load, wake on the same commit. Each
 * of some forty runners sent its own look twice a second before, about 7 % of the statements
 * under bench:http's writes.
 */
const looked = batchedGroupReads((holder: { db: Knex }, names: readonly string[]) => holder.db('projections').whereIn('name', names).orderBy('generation') as Promise<Row[]>, (row) => row.name);

/** `loadGenerations`, gathered with the other runners' looks of this turn (see `looked`). */
export async function lookGenerations(db: Knex, name: string): Promise<Generation[]> {
  return (await looked({ db }, name)).map(toGeneration);
}

export async function loadGenerations(db: Knex, name: string): Promise<Generation[]> {
  const rows = (await db('projections').where({ name }).orderBy('generation')) as Row[];
  return rows.map(toGeneration);
}

export async function loadGeneration(db: Knex, name: string, generation: number): Promise<Generation | undefined> {
  const row = (await db('projections').where({ name, generation }).first()) as Row | undefined;
  return row && toGeneration(row);
}

/**
 * Creates a generation's checkpoint row and empty tables in one transaction. Generation numbers
 * are unique in the module's database, not just per projection: physical names are
 * `<table>_g<generation>`, so two readers of one module with a table of the same name (two
 * processes each have `instances`, `outbox` and `timers`) must never share a number.
 */
export async function createGeneration(db: Knex, definition: ProjectionDefinition, serving: boolean): Promise<Generation> {
  return db.transaction(async (trx) => {
    const { max } = (await trx('projections').max('generation as max').first()) as { max: number | null };
    const generation = (max ?? 0) + 1;
    for (const [table, build] of Object.entries(definition.tables)) {
      const physical = physicalTable(table, generation);
      await trx.schema.dropTableIfExists(physical);
      await trx.schema.createTable(physical, build);
    }
    const state: ProjectionState = serving ? 'catching-up' : 'building';
    await trx('projections').insert({ name: definition.name, generation, version: definition.version, position: 0, state, serving, updated_at: Date.now() });
    return { name: definition.name, generation, version: definition.version, position: 0, state, serving, error: null, errorPosition: null, errorEventId: null };
  });
}

/** Drops a generation's tables and its row. */
export async function dropGeneration(db: Knex, definition: ProjectionDefinition, generation: number): Promise<void> {
  await db.transaction(async (trx) => {
    for (const table of Object.keys(definition.tables)) await trx.schema.dropTableIfExists(physicalTable(table, generation));
    await trx('projections').where({ name: definition.name, generation }).delete();
    await trx('parked_events').where({ projection: definition.name, generation }).delete();
  });
}

/**
 * Moves a generation's checkpoint from `from` to `to` inside the batch's transaction. Returns
 * false when the row is not where this runner left it (another process moved or retired it):
 * the caller must roll back and reload.
 */
export async function advance(trx: Knex.Transaction, g: Generation, from: number, to: number, state: ProjectionState): Promise<boolean> {
  const changed = await trx('projections')
    .where({ name: g.name, generation: g.generation, position: from })
    .whereIn('state', ['catching-up', 'live', 'building'])
    .update({ position: to, state, updated_at: Date.now() });
  return changed === 1;
}

export async function setState(
  db: Knex,
  g: Pick<Generation, 'name' | 'generation'>,
  state: ProjectionState,
  error: { message: string; position?: number; eventId?: string } | null = null,
): Promise<void> {
  await db('projections')
    .where({ name: g.name, generation: g.generation })
    .update({
      state,
      error: error?.message ?? null,
      error_position: error?.position ?? null,
      error_event_id: error?.eventId ?? null,
      updated_at: Date.now(),
    });
}

/** Makes `next` the serving generation and retires the old one, atomically. */
export async function swap(db: Knex, name: string, next: number): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('projections').where({ name, serving: true }).update({ serving: false, state: 'retired', updated_at: Date.now() });
    await trx('projections').where({ name, generation: next }).update({ serving: true, state: 'live', updated_at: Date.now() });
  });
}
