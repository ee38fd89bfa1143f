import { z } from 'zod';
import { defineEvent } from '../contracts/events.js';

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

/** An operator let a stopped projection try its failed event again. */
export const ProjectionRetried = defineEvent(
  'seams.ProjectionRetried',
  1,
  z.object({ module: z.string(), projection: z.string(), position: z.number().int(), error: z.string().nullable() }),
);

/** An operator started rebuilding a projection from the log (into new tables, swapped in when caught up). */
export const ProjectionRebuildStarted = defineEvent('seams.ProjectionRebuildStarted', 1, z.object({ module: z.string(), projection: z.string(), headPosition: z.number().int() }));

/** An operator sent a command that a process had set aside (refused, or out of retries) once more. */
export const CommandResubmitted = defineEvent(
  'seams.CommandResubmitted',
  1,
  z.object({ module: z.string(), process: z.string(), instance: z.string(), commandId: z.string(), command: z.string(), lastError: z.string().nullable() }),
);

export const kernelEvents = [ProjectionEventSkipped, ProjectionRetried, ProjectionRebuildStarted, CommandResubmitted];

/** The stream of the operator actions on one projection or process: `seams.projection-<module>-<name>`. */
export const operatorStream = (kind: 'projection' | 'process', module: string, name: string) => `seams.${kind}-${module}-${name}`;
