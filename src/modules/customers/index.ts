import { defineModule } from '../../kernel/index.js';
import { commands } from './commands.js';
import { publicEvents } from './contracts.js';
import { routes } from './routes.js';
import { customerAccounts } from './views/customerAccounts.js';

/** customers: customers and their credit, reserved and released by other modules' commands. */
export const customers = defineModule({
  name: 'customers',
  publicEvents,
  streams: ['customer'],
  commands,
  projections: [customerAccounts],
  routes,
});
