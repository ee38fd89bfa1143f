import { z } from 'zod';
import { defineEvent, type RecordedEventOf } from '../../kernel/index.js';

/** communications' events, all private: one stream per mail (`communications.mail-<mailId>`). It publishes none. */
export const MAIL_STATUSES = ['pending', 'sent', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

/** A mail asked for (once per idempotency key), on behalf of `recipientUserId` when given (who may read it). → pending */
export const MailRequested = defineEvent(
  'communications.MailRequested',
  1,
  z.object({ mailId: z.uuid(), to: z.string(), subject: z.string(), body: z.string(), idempotencyKey: z.string(), recipientUserId: z.uuid().optional() }),
);
/** → sent */
export const MailSent = defineEvent('communications.MailSent', 1, z.object({ mailId: z.uuid(), sentAt: z.string(), via: z.enum(['smtp', 'file']), messageId: z.string() }));
/** Given up: a permanent refusal, or too many failed attempts. → failed */
export const MailFailed = defineEvent('communications.MailFailed', 1, z.object({ mailId: z.uuid(), error: z.string(), failedAt: z.string() }));

export const mailEvents = [MailRequested, MailSent, MailFailed];
export type MailEvent = RecordedEventOf<(typeof mailEvents)[number]>;
