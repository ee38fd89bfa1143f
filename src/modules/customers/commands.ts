import { handleCommand } from '../../kernel/index.js';
import { ReleaseCredit, ReserveCredit } from './contracts.js';
import { handleCustomer } from './customer.js';

/** The credit commands other modules send; each is decided on the customer's stream, once per order id. */
export const commands = [
  handleCommand(ReserveCredit, async (ctx, data) => void (await handleCustomer(ctx.events, { kind: 'reserve', ...data }))),
  handleCommand(ReleaseCredit, async (ctx, data) => void (await handleCustomer(ctx.events, { kind: 'release', ...data }))),
];
