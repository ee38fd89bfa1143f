import { z } from 'zod';
import { defineCommand, handleCommand, loadState } from '../../kernel/index.js';
import { SendMail } from './contracts.js';
import { handleMail, mail, mailIdOf } from './mail.js';
import { deliver } from './transport.js';

/** Private: the delivery process asks for one attempt to deliver a requested mail (retried by its outbox). */
export const DeliverMail = defineCommand('communications.DeliverMail', z.object({ mailId: z.uuid() }));
/** Private: the delivery process gives a mail up (a permanent refusal, or too many failed attempts). */
export const MarkMailFailed = defineCommand('communications.MarkMailFailed', z.object({ mailId: z.uuid(), error: z.string() }));

export const commands = [
  /** Records the mail (once per idempotency key); the delivery process takes it from there. */
  handleCommand(SendMail, async (ctx, data) => void (await handleMail(ctx.events, { kind: 'request', mailId: mailIdOf(data.idempotencyKey), ...data }))),
  handleCommand(DeliverMail, async (ctx, { mailId }) => {
    const { state } = await loadState(ctx.events, ctx.events.stream('mail', mailId), mail);
    if (state.status !== 'pending') return; // sent or failed already: nothing to do
    const delivery = await deliver(ctx, { mailId, to: state.to, subject: state.subject, body: state.body });
    await handleMail(ctx.events, { kind: 'markSent', mailId, sentAt: new Date().toISOString(), ...delivery });
  }),
  handleCommand(MarkMailFailed, async (ctx, { mailId, error }) => void (await handleMail(ctx.events, { kind: 'markFailed', mailId, error, failedAt: new Date().toISOString() }))),
];
