import { defineModule } from '../../kernel/index.js';
import { commands } from './commands.js';
import { ordersConfig } from './config.js';
import { publicEvents } from './contracts.js';
import { orderEvents } from './events.js';
import { confirmationMail } from './processes/confirmationMail.js';
import { orderProcess } from './processes/orderProcess.js';
import { customersReplica } from './replicas/customers.js';
import { itemPrices } from './replicas/itemPrices.js';
import { routes } from './routes.js';
import { orderViews } from './views/orderViews.js';

/**
 * orders: orders placed without any synchronous check; the order process decides what becomes
 * of each, from orders' replicas of customers and catalog and customers' answers about credit.
 */
export const orders = defineModule({
  name: 'orders',
  publicEvents,
  privateEvents: orderEvents,
  streams: ['order'],
  config: ordersConfig,
  commands,
  projections: [orderViews, customersReplica, itemPrices],
  processes: [orderProcess, confirmationMail],
  routes,
});
