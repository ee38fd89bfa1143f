import { defineModule } from '../../kernel/index.js';
import { SendMail } from '../communications/contracts.js';
import { ReleaseCredit, ReserveCredit } from '../customers/contracts.js';
import { confirmationMail } from './confirmationMail.js';
import { publicEvents } from './contracts.js';
import { orderEvents } from './order.js';
import { orderProcess } from './orderProcess.js';
import { orderViews } from './orderViews.js';
import { customersReplica, itemPrices } from './replicas.js';
import { cancelOrderRoute, getOrderRoute, placeOrderRoute } from './routes.js';
import { statusCommands } from './statusCommands.js';

/**
 * orders: orders placed without any synchronous check; the order process decides what becomes
 * of each, from orders' replicas of customers and catalog and customers' answers about credit.
 */
export const orders = defineModule({
  name: 'orders',
  publicEvents,
  privateEvents: orderEvents,
  streams: ['order'],
  commands: statusCommands,
  projections: [orderViews, customersReplica, itemPrices],
  processes: [orderProcess, confirmationMail],
  sends: [ReserveCredit, ReleaseCredit, SendMail],
  routes: [placeOrderRoute, getOrderRoute, cancelOrderRoute],
});
