import { defineProjection, type ProjectionDefinition } from '../projections/defineProjection.js';
import { advance, type ProcessTables } from './advance.js';
import type { ProcessDefinition, ProcessEnv } from './defineProcess.js';
import { processTables, RUNNING } from './processTables.js';

/**
 * A process is driven like a projection: the runner reads its events in batches and commits
 * the instances' new state, outbox rows and timers together with the checkpoint. So a duplicate
 * delivery of an event changes nothing, and a crash replays to the same outcome.
 */
export function processProjection(definition: ProcessDefinition, env: ProcessEnv): ProjectionDefinition {
  return defineProjection({
    name: definition.name,
    version: definition.version,
    tables: processTables,
    waitsFor: [...definition.waitsFor],
    handlers: definition.reactions.map((reaction) => ({
      contract: reaction.contract,
      async handle(event, { db, tables }) {
        const t = tables as unknown as ProcessTables;
        const input = { kind: 'event' as const, event };
        if (reaction.start) return advance(definition, db, t, env, reaction.start(event), input, { start: true });
        if (reaction.id) return advance(definition, db, t, env, reaction.id(event), input);
        const key = reaction.correlate!(event);
        const ids = await db(t.instances).where({ correlation: key }).whereIn('status', RUNNING).orderBy('created_at').pluck('id');
        for (const id of ids) await advance(definition, db, t, env, id, input);
      },
    })),
  });
}
