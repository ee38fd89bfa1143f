import { defineModule } from '../../kernel/index.js';
import { commands } from './commands.js';
import { communicationsConfig } from './config.js';
import { publicEvents } from './contracts.js';
import { mailEvents } from './events.js';
import { mailDelivery } from './processes/mailDelivery.js';
import { routes } from './routes.js';
import { mailLog } from './views/mailLog.js';

/**
 * communications: sends mail on other modules' request (SendMail), once per idempotency key,
 * over SMTP (SMTP_URL) or into `.eml` files; knows nothing of why a mail is sent.
 */
export const communications = defineModule({
  name: 'communications',
  migrations: new URL('../../../migrations/communications/', import.meta.url),
  publicEvents,
  privateEvents: mailEvents,
  streams: ['mail'],
  config: communicationsConfig,
  commands,
  projections: [mailLog],
  processes: [mailDelivery],
  routes,
});
