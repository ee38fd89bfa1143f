import { command, defineProcess, react } from '../../../kernel/index.js';
import { DeliverMail, MarkMailFailed } from '../commands.js';
import { MailFailed, MailRequested, MailSent } from '../events.js';

/**
 * Delivers each requested mail through the kernel's process outbox: DeliverMail is retried with
 * exponential backoff while delivery fails transiently (no connection, SMTP 4xx); a permanent
 * refusal (SMTP 5xx) is not retried. A mail given up either way is marked failed. The instance
 * ends when the mail's stream says sent or failed.
 */
export const mailDelivery = defineProcess<{ mailId: string }>({
  name: 'mail_delivery',
  // Sixteen mails in flight at most (each over a connection of its own): one slow delivery does not
  // hold up the rest, and an SMTP server is not asked for more connections at once than such
  // servers commonly allow a client (Postfix: 50). Eight at a time held orders' pipeline back: each
  // wave of deliveries waits for its MailSent appends to reach the disk.
  concurrency: 16,
  initialState: (mailId) => ({ mailId }),
  sends: [DeliverMail, MarkMailFailed],
  reactions: [
    react(MailRequested, { start: (e) => e.data.mailId, decide: (state) => ({ step: 'delivering', send: [command(DeliverMail, { mailId: state.mailId })] }) }),
    react(MailSent, { id: (e) => e.data.mailId, decide: () => ({ step: 'sent', end: 'completed' }) }),
    react(MailFailed, { id: (e) => e.data.mailId, decide: () => ({ step: 'failed', end: 'failed' }) }),
  ],
  onCommandFailed(state, failure) {
    if (failure.command === DeliverMail.type) {
      return { step: `giving up: ${failure.error}`, send: [command(MarkMailFailed, { mailId: state.mailId, error: failure.error })] };
    }
    return { step: `${failure.command} failed: ${failure.error}`, end: 'failed' };
  },
});
