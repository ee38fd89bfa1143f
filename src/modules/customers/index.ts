import { defineModule } from '../../kernel/index.js';
import { publicEvents } from './contracts.js';
import { creditCommands } from './creditCommands.js';
import { customerAccounts } from './customerAccounts.js';
import { deleteCustomerRoute, getCustomerRoute, registerCustomerRoute } from './routes.js';

/** customers: customers and their credit, reserved and released by other modules' commands. */
export const customers = defineModule({
  name: 'customers',
  publicEvents,
  streams: ['customer'],
  commands: creditCommands,
  projections: [customerAccounts],
  routes: [registerCustomerRoute, getCustomerRoute, deleteCustomerRoute],
});
