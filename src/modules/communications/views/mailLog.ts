import { z } from 'zod';
import { defineProjection, defineRow, on, type ModuleContext } from '../../../kernel/index.js';
import { MAIL_STATUSES, MailFailed, MailRequested, MailSent } from '../events.js';

export const mailRow = defineRow(
  z.object({
    mailId: z.uuid(),
    toAddress: z.string(),
    /** The address lower-cased, for lookups. */
    toKey: z.string(),
    /** The member the mail was sent on behalf of, who may read it (null: operators only). */
    recipientUserId: z.uuid().nullable(),
    subject: z.string(),
    status: z.enum(MAIL_STATUSES),
    sentAt: z.string().nullable(),
    error: z.string().optional(),
    requestedPosition: z.number().int(),
  }),
  { primary: ['mailId'], indexes: [['toKey'], ['requestedPosition'], ['recipientUserId', 'requestedPosition']] },
);

/** Every mail and what became of it. */
export const mailLog = defineProjection({
  name: 'mail_log',
  // 2: whom each mail may be shown to.
  version: 2,
  tables: { mail_log: mailRow.table },
  handlers: [
    on(MailRequested, async (e, { db, tables }) => {
      const { mailId, to, subject, recipientUserId } = e.data;
      const row = mailRow.toDb({ mailId, toAddress: to, toKey: to.toLowerCase(), recipientUserId: recipientUserId ?? null, subject, status: 'pending', requestedPosition: e.position });
      await db(tables.mail_log).insert(row).onConflict('mail_id').ignore();
    }),
    on(MailSent, async (e, { db, tables }) => {
      await db(tables.mail_log).where({ mail_id: e.data.mailId }).update(mailRow.toDb({ status: 'sent', sentAt: e.data.sentAt }));
    }),
    on(MailFailed, async (e, { db, tables }) => {
      await db(tables.mail_log).where({ mail_id: e.data.mailId }).update(mailRow.toDb({ status: 'failed', error: e.data.error }));
    }),
  ],
});

/** What clients read of a mail (GET /communications/mails). */
export const mailView = z.object({ mailId: z.uuid(), to: z.string(), subject: z.string(), status: z.enum(MAIL_STATUSES), sentAt: z.string().nullable(), error: z.string().optional() });
export type MailView = z.output<typeof mailView>;

/** Mails oldest first, optionally to one address; with `recipientUserId`, only those sent on that member's behalf. */
export async function listMails(ctx: ModuleContext, filter: { to?: string; recipientUserId?: string; limit: number }): Promise<MailView[]> {
  const rows = (await ctx
    .db(ctx.tables(mailLog).mail_log)
    .modify((q) => {
      if (filter.to) q.where({ to_key: filter.to.toLowerCase() });
      if (filter.recipientUserId) q.where({ recipient_user_id: filter.recipientUserId });
    })
    .orderBy('requested_position')
    .limit(filter.limit)) as Record<string, unknown>[];
  return rows.map((r) => {
    const { mailId, toAddress, subject, status, sentAt, error } = mailRow.fromDb(r);
    return { mailId, to: toAddress, subject, status, sentAt, ...(error ? { error } : {}) };
  });
}
