import { command, defineProcess, react } from '../../../kernel/index.js';
import { SendMail } from '../../communications/contracts.js';
import { OrderConfirmed } from '../events.js';
import { customersReplica } from '../replicas/customers.js';

const amount = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/**
 * Turns an order's confirmation into communications' SendMail, with the order id as its
 * idempotency key: one mail per confirmed order, sent on behalf of the customer's owner (who may
 * read it), and communications never learns what an order is.
 */
export const confirmationMail = defineProcess<{ orderId: string }>({
  name: 'confirmation_mail',
  concurrency: 100, // each order's mail is a request of its own (its idempotency key the order id); all a look finds at once
  initialState: (orderId) => ({ orderId }),
  waitsFor: [customersReplica.name],
  sends: [SendMail],
  reactions: [
    react(OrderConfirmed, {
      start: (e) => e.data.orderId,
      read: (e, tx) => customersReplica.find(tx, e.data.customerId),
      decide: (state, e, customer) => {
        if (!customer?.email) return { step: 'no email address known for the customer', end: 'failed' };
        const mail = {
          to: customer.email,
          subject: `Your order ${state.orderId} is confirmed`,
          body: `Thank you for your order.\n\nOrder: ${state.orderId}\nTotal: ${amount(e.data.totalCents)}\n`,
          idempotencyKey: state.orderId,
          ...(customer.ownerId ? { recipientUserId: customer.ownerId } : {}),
        };
        return { step: 'mail handed to communications', send: [command(SendMail, mail)], end: 'completed' };
      },
    }),
  ],
  onCommandFailed: (_state, failure) => ({ step: `sending the confirmation mail failed: ${failure.error}`, end: 'failed' }),
});
