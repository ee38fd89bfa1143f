import { defineProjection } from '../projections/defineProjection.js';
import type { ProcessDefinition } from '../types/process.js';
import type { ProjectionDefinition } from '../types/projection.js';
import { advance, type ProcessEnv } from './advance.js';
import { RUNNING } from './instance.js';
import { processTables, type ProcessTables } from './processTables.js';

/**
 * A process is driven like a projection: the runner reads its events in batches and commits
 * the instances' new state, outbox rows and timers together with the checkpoint. So a duplicate
 * delivery of an event changes nothing, and a crash replays to the same outcome.
 */
export function processProjection(definition: ProcessDefinition, env: ProcessEnv): ProjectionDefinition<keyof ProcessTables> {
  return defineProjection({
    name: definition.name,
    version: definition.version,
    tables: processTables,
    waitsFor: [...definition.waitsFor],
    handlers: definition.reactions.map((reaction) => ({
      contract: reaction.contract,
      async handle(event, { db, tables }) {
        const input = { kind: 'event' as const, event };
        if (reaction.start) return advance(definition, db, tables, env, reaction.start(event), input, { start: true });
        if (reaction.id) return advance(definition, db, tables, env, reaction.id(event), input);
        const key = reaction.correlate!(event);
        const ids = await db(tables.instances).where({ correlation: key }).whereIn('status', RUNNING).orderBy('created_at').pluck('id');
        for (const id of ids) await advance(definition, db, tables, env, id, input);
      },
    })),
  });
}
