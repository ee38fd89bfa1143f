import { z } from 'zod';
import { defineCommand, type EventContract } from '../../kernel/index.js';

/**
 * communications' public face: one command. It sends mail and knows nothing of why: other
 * modules turn their own events into SendMail. One mail per idempotencyKey, however often the
 * command arrives (the first one's content wins). `recipientUserId` is the member the mail is
 * sent on behalf of: they (and operators) may read it; without it, operators only.
 */
export const SendMail = defineCommand(
  'communications.SendMail',
  z.object({
    to: z.email().max(254),
    subject: z.string().min(1).max(998),
    body: z.string().max(1_000_000),
    idempotencyKey: z.string().min(1).max(200),
    recipientUserId: z.uuid().optional(),
  }),
);

/** communications publishes no events: what happened to a mail is read over HTTP. */
export const publicEvents: EventContract[] = [];
