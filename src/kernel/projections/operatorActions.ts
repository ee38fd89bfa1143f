import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../errors.js';
import type { EventStore } from '../types/eventStore.js';
import { operatorStream, ProjectionEventSkipped, ProjectionRetried } from './kernelEvents.js';
import { loadGenerations, setState, type Generation } from './generations.js';

/**
 * What an operator does to a stopped projection. Each edits the projection's row in the
 * module's database; a running server's runner notices the change and resumes.
 */

async function stopped(db: Knex, module: string, projection: string): Promise<Generation> {
  const generations = await loadGenerations(db, projection);
  if (generations.length === 0) throw new NotFoundError(`no projection ${module}/${projection}`);
  const g = generations.find((x) => x.state === 'failed') ?? generations.find((x) => x.state === 'ahead-of-log');
  if (!g) throw new ConflictError(`${module}/${projection} has not stopped (nothing to retry or skip)`);
  return g;
}

/** Who did it, recorded in the log (`actor` of the kernel event the action appends). */
export interface OperatorRecord {
  store: EventStore;
  actor: string;
}

/** Tries the failed event again (after the cause was fixed); with `record`, the retry is an event in the log. */
export async function retryProjection(db: Knex, module: string, projection: string, record?: OperatorRecord): Promise<Generation> {
  const g = await stopped(db, module, projection);
  if (g.state === 'ahead-of-log') throw new ConflictError(`${module}/${projection} is ahead of the log: only a rebuild helps`);
  await record?.store.append(operatorStream('projection', module, projection), [
    { type: ProjectionRetried.type, data: { module, projection, position: g.errorPosition ?? g.position, error: g.error }, metadata: { actor: record.actor, module: 'seams' } },
  ]);
  await setState(db, g, g.serving ? 'catching-up' : 'building');
  return g;
}

/**
 * Passes over the failed event for good. The skip is itself recorded as an event in the log,
 * so the gap in the projection stays explainable.
 */
export async function skipFailedEvent(db: Knex, store: EventStore, module: string, projection: string, reason: string, actor = 'operator'): Promise<{ position: number }> {
  const g = await stopped(db, module, projection);
  if (g.state === 'ahead-of-log' || g.errorPosition === null) throw new ConflictError(`${module}/${projection} has no failed event to skip`);
  await store.append(operatorStream('projection', module, projection), [
    {
      type: ProjectionEventSkipped.type,
      data: { module, projection, position: g.errorPosition, eventId: g.errorEventId, error: g.error, reason },
      metadata: { actor, module: 'seams' },
    },
  ]);
  const changed = await db('projections')
    .where({ name: projection, generation: g.generation, state: 'failed' })
    .update({ position: g.errorPosition, state: g.serving ? 'catching-up' : 'building', error: null, error_position: null, error_event_id: null, updated_at: Date.now() });
  if (changed !== 1) throw new ConflictError(`${module}/${projection} changed while skipping; look again`);
  return { position: g.errorPosition };
}
