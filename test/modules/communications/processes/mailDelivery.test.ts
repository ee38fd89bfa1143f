import { command, input, processSpec } from '../../../../src/kernel/host.js';
import { DeliverMail, MarkMailFailed } from '../../../../src/modules/communications/commands.js';
import { MailFailed, MailRequested, MailSent } from '../../../../src/modules/communications/events.js';
import { mailDelivery } from '../../../../src/modules/communications/processes/mailDelivery.js';

const mailId = '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b0a';
const spec = processSpec(mailDelivery, mailId);
const requested = input.event(MailRequested, { mailId, to: 'a@example.com', subject: 'Hi', body: '', idempotencyKey: 'k' });

describe('communications: mail delivery (spec)', () => {
  it('a requested mail is handed to one delivery attempt (DeliverMail, retried by the outbox)', () => {
    spec.given([]).when(requested).then({ send: [command(DeliverMail, { mailId })], status: 'running', step: 'delivering' });
  });

  it('the mail sent or failed ends the instance', () => {
    spec.given([requested]).when(input.event(MailSent, { mailId, sentAt: 't', via: 'file', messageId: 'm' })).then({ send: [], status: 'completed' });
    spec.given([requested]).when(input.event(MailFailed, { mailId, error: 'e', failedAt: 't' })).then({ send: [], status: 'failed' });
  });

  it('delivery given up (a 5xx, or out of retries): the mail is marked failed with the error', () => {
    spec.given([requested]).when(input.commandFailed(DeliverMail, '550 no such user')).then({ send: [command(MarkMailFailed, { mailId, error: '550 no such user' })], status: 'running' });
  });

  it('marking it failed given up too: the instance ends failed, visibly', () => {
    const gaveUp = input.commandFailed(DeliverMail, 'down');
    spec.given([requested, gaveUp]).when(input.commandFailed(MarkMailFailed, 'still down')).then({ send: [], status: 'failed', step: `${MarkMailFailed.type} failed: still down` });
  });
});
