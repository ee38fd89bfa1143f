import { command, input, processSpec } from '../../../../src/kernel/host.js';
import { SendMail } from '../../../../src/modules/communications/contracts.js';
import { OrderConfirmed } from '../../../../src/modules/orders/events.js';
import { confirmationMail } from '../../../../src/modules/orders/processes/confirmationMail.js';

const orderId = '0b0e2f6a-6c4c-4b8a-9a43-1f0a4c2d7e01';
const customerId = '5d7f0c1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f';
const spec = processSpec(confirmationMail, orderId);
const confirmed = (customer: { email: string; deleted: boolean } | undefined) => input.event(OrderConfirmed, { orderId, customerId, totalCents: 123456 }, customer);

describe('orders: the confirmation mail (spec)', () => {
  it('a confirmed order becomes one SendMail to the customer, keyed by the order id', () => {
    spec
      .given([])
      .when(confirmed({ email: 'grace@example.com', deleted: false }))
      .then({
        send: [
          command(SendMail, {
            to: 'grace@example.com',
            subject: `Your order ${orderId} is confirmed`,
            body: `Thank you for your order.\n\nOrder: ${orderId}\nTotal: 1234.56\n`,
            idempotencyKey: orderId,
          }),
        ],
        status: 'completed',
      });
  });

  it('no address known for the customer: nothing is sent, and the instance says why', () => {
    spec.given([]).when(confirmed(undefined)).then({ send: [], status: 'failed', step: 'no email address known for the customer' });
  });

  it('SendMail given up: the instance ends failed, with the error', () => {
    const given = [confirmed({ email: 'grace@example.com', deleted: false })];
    spec.given(given).when(input.commandFailed(SendMail, 'smtp is down')).then({ status: 'failed', step: 'sending the confirmation mail failed: smtp is down' });
  });
});
