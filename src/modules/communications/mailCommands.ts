import { z } from 'zod';
import { defineCommand, handleCommand, loadState, type CommandMeta } from '../../kernel/index.js';
import { SendMail } from './contracts.js';
import { mail } from './mail.js';
import { changeMail, mailIdOf } from './mailStream.js';
import { deliver } from './transport.js';

/** Private: the delivery process asks for one attempt to deliver a requested mail (retried by its outbox). */
export const DeliverMail = defineCommand('communications.DeliverMail', z.object({ mailId: z.uuid() }));
/** Private: the delivery process gives a mail up (a permanent refusal, or too many failed attempts). */
export const MarkMailFailed = defineCommand('communications.MarkMailFailed', z.object({ mailId: z.uuid(), error: z.string() }));

const metadata = (meta: CommandMeta) => ({ correlationId: meta.correlationId, actor: meta.actor });

export const mailCommands = [
  /** Records the mail (once per idempotency key); the delivery process takes it from there. */
  handleCommand(SendMail, async (ctx, data, meta) => {
    await changeMail(ctx.events, { kind: 'request', mailId: mailIdOf(data.idempotencyKey), ...data }, metadata(meta));
  }),
  handleCommand(DeliverMail, async (ctx, { mailId }, meta) => {
    const { state } = await loadState(ctx.events, ctx.events.stream('mail', mailId), mail);
    if (state.status !== 'pending') return; // sent or failed already: nothing to do
    const delivery = await deliver(ctx, { mailId, to: state.to, subject: state.subject, body: state.body });
    await changeMail(ctx.events, { kind: 'markSent', mailId, sentAt: new Date().toISOString(), ...delivery }, metadata(meta));
  }),
  handleCommand(MarkMailFailed, async (ctx, { mailId, error }, meta) => {
    await changeMail(ctx.events, { kind: 'markFailed', mailId, error, failedAt: new Date().toISOString() }, metadata(meta));
  }),
];
