import { defineProjection, on, type ModuleContext } from '../../kernel/index.js';
import { MailFailed, MailRequested, MailSent } from './mail.js';

/** Every mail and what became of it (GET /communications/mails). */
export const mailLog = defineProjection({
  name: 'mail_log',
  version: 1,
  tables: {
    mail_log: (t) => {
      t.string('mail_id').primary();
      t.string('to_address').notNullable();
      /** The address lower-cased, for lookups. */
      t.string('to_key').notNullable().index();
      t.text('subject').notNullable();
      t.string('status', 10).notNullable();
      t.string('sent_at');
      t.text('error');
      t.bigInteger('requested_position').notNullable().index();
    },
  },
  handlers: [
    on(MailRequested, async (e, { db, tables }) => {
      await db(tables.mail_log)
        .insert({ mail_id: e.data.mailId, to_address: e.data.to, to_key: e.data.to.toLowerCase(), subject: e.data.subject, status: 'pending', requested_position: e.position })
        .onConflict('mail_id')
        .ignore();
    }),
    on(MailSent, async (e, { db, tables }) => {
      await db(tables.mail_log).where({ mail_id: e.data.mailId }).update({ status: 'sent', sent_at: e.data.sentAt });
    }),
    on(MailFailed, async (e, { db, tables }) => {
      await db(tables.mail_log).where({ mail_id: e.data.mailId }).update({ status: 'failed', error: e.data.error });
    }),
  ],
});

export interface MailView {
  mailId: string;
  to: string;
  subject: string;
  status: string;
  sentAt: string | null;
  error?: string;
}

interface MailRow {
  mail_id: string;
  to_address: string;
  subject: string;
  status: string;
  sent_at: string | null;
  error: string | null;
}

export async function listMails(ctx: ModuleContext, filter: { to?: string; limit: number }): Promise<MailView[]> {
  const rows = (await ctx
    .db(ctx.tables('mail_log').mail_log)
    .modify((q) => (filter.to ? q.where({ to_key: filter.to.toLowerCase() }) : q))
    .orderBy('requested_position')
    .limit(filter.limit)) as MailRow[];
  return rows.map((r) => ({
    mailId: r.mail_id,
    to: r.to_address,
    subject: r.subject,
    status: r.status,
    sentAt: r.sent_at ?? null,
    ...(r.error ? { error: r.error } : {}),
  }));
}
