import { z } from 'zod';
import { defineEvent } from './contracts/events.js';
import { EventRegistry } from './contracts/registry.js';
import type { ModuleDefinition } from './modules/defineModule.js';
import { ownEvents } from './modules/defineModule.js';

/** Events the kernel itself appends (operator actions), under the reserved `seams.` prefix. */
export const ProjectionEventSkipped = defineEvent(
  'seams.ProjectionEventSkipped',
  1,
  z.object({
    module: z.string(),
    projection: z.string(),
    position: z.number().int(),
    eventId: z.string().nullable(),
    error: z.string().nullable(),
    reason: z.string(),
  }),
);

export const kernelEvents = [ProjectionEventSkipped];

/** The registry of every event an application's store accepts: the kernel's and each module's own. */
export function registryOf(modules: readonly ModuleDefinition[]): EventRegistry {
  return new EventRegistry([...kernelEvents, ...modules.flatMap(ownEvents)]);
}
