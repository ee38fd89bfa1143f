import { defineModule } from '../../kernel/index.js';
import { publicEvents } from './contracts.js';
import { mailEvents } from './mail.js';
import { mailCommands } from './mailCommands.js';
import { mailDelivery } from './mailDelivery.js';
import { mailLog } from './mailLog.js';
import { listMailsRoute } from './routes.js';

/**
 * communications: sends mail on other modules' request (SendMail), once per idempotency key,
 * over SMTP (SMTP_URL) or into `.eml` files; knows nothing of why a mail is sent.
 */
export const communications = defineModule({
  name: 'communications',
  publicEvents,
  privateEvents: mailEvents,
  streams: ['mail'],
  commands: mailCommands,
  projections: [mailLog],
  processes: [mailDelivery],
  routes: [listMailsRoute],
});
