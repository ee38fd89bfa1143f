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

export const kernelEvents = [ProjectionEventSkipped];
