import { handleCommand, type CommandMeta } from '../../kernel/index.js';
import { ReleaseCredit, ReserveCredit } from './contracts.js';
import { changeCustomer } from './customerStream.js';

const metadata = (meta: CommandMeta) => ({ correlationId: meta.correlationId, actor: meta.actor });

/** The credit commands other modules send; each is decided on the customer's stream, once per order id. */
export const creditCommands = [
  handleCommand(ReserveCredit, async (ctx, data, meta) => {
    await changeCustomer(ctx.events, { kind: 'reserve', ...data }, metadata(meta));
  }),
  handleCommand(ReleaseCredit, async (ctx, data, meta) => {
    await changeCustomer(ctx.events, { kind: 'release', ...data }, metadata(meta));
  }),
];
