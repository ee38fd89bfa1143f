import type { Knex } from 'knex';
import { defineProjection } from '../projections/defineProjection.js';
import type { ProcessDefinition } from '../types/process.js';
import type { ProjectionDefinition } from '../types/projection.js';
import { advance, type ProcessEnv } from './advance.js';
import { RUNNING } from './instance.js';
import { processTables, type ProcessTables } from './processTables.js';
import { StepBatch } from './stepBatch.js';

/**
 * A process is driven like a projection: the runner reads its events in batches and commits
 * the instances' new state, outbox rows and timers together with the checkpoint. So a duplicate
 * delivery of an event changes nothing, and a crash replays to the same outcome. A batch's steps
 * are taken in log order on instances held in memory and written together at its end (StepBatch).
 */
export function processProjection(definition: ProcessDefinition, env: ProcessEnv): ProjectionDefinition<keyof ProcessTables> {
  // An event type's first reaction is the one that decides (decideInput), so it is the one that routes.
  const reactionOf = (type: string) => definition.reactions.find((r) => r.contract.type === type)!;
  return defineProjection({
    name: definition.name,
    version: definition.version,
    tables: processTables,
    waitsFor: [...definition.waitsFor],
    events: definition.reactions.map((reaction) => reaction.contract),
    async applyBatch(events, { db, tables }) {
      const steps = new StepBatch(db as Knex.Transaction, tables);
      await steps.prefetch(events.flatMap((event) => {
        const reaction = reactionOf(event.type);
        return reaction.start ? [reaction.start(event)] : reaction.id ? [reaction.id(event)] : [];
      }));
      for (const event of events) {
        const reaction = reactionOf(event.type);
        const input = { kind: 'event' as const, event };
        if (reaction.start) await advance(definition, steps, env, reaction.start(event), input, { start: true });
        else if (reaction.id) await advance(definition, steps, env, reaction.id(event), input);
        else for (const id of await steps.correlated(reaction.correlate!(event), RUNNING)) await advance(definition, steps, env, id, input);
      }
      await steps.flush();
    },
  });
}
