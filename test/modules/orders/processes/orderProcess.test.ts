import { command, input, processSpec } from '../../../../src/kernel/host.js';
import { CreditLimitExceeded, CreditReserved, CustomerDeleted, CustomerRegistered, ReleaseCredit, ReserveCredit } from '../../../../src/modules/customers/contracts.js';
import { CompleteCancellation, ConfirmOrder, InvalidateOrder, RejectOrder } from '../../../../src/modules/orders/commands.js';
import { OrderCancellationRequested, OrderPlaced } from '../../../../src/modules/orders/events.js';
import { orderProcess } from '../../../../src/modules/orders/processes/orderProcess.js';

const orderId = '0b0e2f6a-6c4c-4b8a-9a43-1f0a4c2d7e01';
const customerId = '5d7f0c1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f';
const itemId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const total = 3600;
const member = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const someoneElse = '6f5e4d3c-2b1a-4098-8765-43210fedcba9';

const spec = processSpec(orderProcess, orderId);
const known = { email: 'grace@example.com', deleted: false, ownerId: member };
/** The order placed, with what the process reads: the total from the prices, the customer, the wait. */
const placed = (facts: { total?: number; customer?: typeof known; waitMs?: number } = {}) =>
  input.event(OrderPlaced, { orderId, customerId, placedBy: member, lines: [{ itemId, quantity: 3 }] }, { total, customer: known, waitMs: 2000, ...facts });
const placedForUnknownCustomer = () => placed({ customer: undefined });
const reserve = command(ReserveCredit, { customerId, orderId, amountCents: total });
const release = command(ReleaseCredit, { customerId, orderId });
const reserved = input.event(CreditReserved, { customerId, orderId, amountCents: total });
const invalidate = (reason: 'unknown-customer' | 'unknown-item' | 'customer-deleted') => command(InvalidateOrder, { orderId, reason });

describe('orders: the order process (spec)', () => {
  it('a placed order with a known customer and priced items asks customers to reserve the total', () => {
    spec.given([]).when(placed()).then({ send: [reserve], status: 'running', state: { status: 'pending', waitingFor: 'credit', totalCents: total } });
  });

  it('an item missing from the prices makes the order invalid at once', () => {
    spec.given([]).when(placed({ total: undefined })).then({ send: [invalidate('unknown-item')], status: 'completed', state: { status: 'invalid' } });
  });

  it('an unknown customer is waited for, the configured time', () => {
    spec.given([]).when(placedForUnknownCustomer()).then({ send: [], scheduled: ['customer-wait'], state: { status: 'pending', waitingFor: 'customer' }, step: 'waiting 2000 ms for the customer' });
  });

  it('the customer appearing during the wait starts the reservation', () => {
    spec.given([placedForUnknownCustomer()]).when(input.event(CustomerRegistered, { customerId, ownerId: member, name: 'Grace', email: 'grace@example.com', creditLimitCents: 5000 })).then({ send: [reserve], cancelled: ['customer-wait'] });
  });

  it("another member's customer is an unknown customer: invalid at once, whether known when placed or registered during the wait", () => {
    spec.given([]).when(placed({ customer: { ...known, ownerId: someoneElse } })).then({ send: [invalidate('unknown-customer')], status: 'completed', state: { status: 'invalid' } });
    spec
      .given([placedForUnknownCustomer()])
      .when(input.event(CustomerRegistered, { customerId, ownerId: someoneElse, name: 'Eve', email: 'eve@example.com', creditLimitCents: 5000 }))
      .then({ send: [invalidate('unknown-customer')], status: 'completed', cancelled: ['customer-wait', 'reserve-refused'] });
  });

  it('the wait running out: invalid (unknown-customer), or customer-deleted if the replica says so by then', () => {
    spec.given([placedForUnknownCustomer()]).when(input.timer('customer-wait', undefined)).then({ send: [invalidate('unknown-customer')], status: 'completed' });
    spec.given([placedForUnknownCustomer()]).when(input.timer('customer-wait', { ...known, deleted: true })).then({ send: [invalidate('customer-deleted')], status: 'completed' });
  });

  it('credit reserved: the order is confirmed and the reservation remembered for compensation', () => {
    spec.given([placed()]).when(reserved).then({ send: [command(ConfirmOrder, { orderId, customerId, totalCents: total })], status: 'running', state: { status: 'confirmed' } });
  });

  it('credit refused: the order is rejected', () => {
    spec
      .given([placed()])
      .when(input.event(CreditLimitExceeded, { customerId, orderId, amountCents: total, availableCents: 100 }))
      .then({ send: [command(RejectOrder, { orderId, reason: 'credit-limit-exceeded', totalCents: total })], status: 'completed', state: { status: 'rejected' } });
  });

  it('a cancellation of a confirmed order releases the credit first, then ends the order cancelled', () => {
    const cancellation = input.event(OrderCancellationRequested, { orderId });
    spec.given([placed(), reserved]).when(cancellation).then({ send: [release], status: 'compensating', state: { status: 'cancelling' } });
    spec.given([placed(), reserved, cancellation]).when(input.undoDelivered()).then({ send: [command(CompleteCancellation, { orderId })], status: 'compensated', state: { status: 'cancelled' } });
  });

  it('the customer deleted: a confirmed order releases its credit, then becomes invalid', () => {
    const deleted = input.event(CustomerDeleted, { customerId });
    spec.given([placed(), reserved]).when(deleted).then({ send: [release], status: 'compensating', state: { status: 'invalid' } });
    spec.given([placed(), reserved, deleted]).when(input.undoDelivered()).then({ send: [invalidate('customer-deleted')], status: 'compensated' });
  });

  it('the customer deleted while the order waits for it: nothing to release, invalid at once', () => {
    spec.given([placedForUnknownCustomer()]).when(input.event(CustomerDeleted, { customerId })).then({ send: [invalidate('customer-deleted')], status: 'compensated' });
  });

  it('a reservation that arrives after the order ended is given back', () => {
    const rejected = input.event(CreditLimitExceeded, { customerId, orderId, amountCents: total, availableCents: 0 });
    spec.given([placed(), rejected]).when(reserved).then({ send: [release] });
  });

  it('a refused reservation is looked at again at once: customer deleted → invalid, else the order stays pending, visibly failed', () => {
    const refused = input.commandFailed(ReserveCredit, 'no customer');
    spec.given([placed()]).when(refused).then({ send: [], scheduled: ['reserve-refused'] });
    spec.given([placed(), refused]).when(input.timer('reserve-refused', { ...known, deleted: true })).then({ send: [invalidate('customer-deleted')], status: 'completed' });
    spec.given([placed(), refused]).when(input.timer('reserve-refused', known)).then({ send: [], status: 'failed', state: { status: 'pending', waitingFor: null } });
  });

  it('a second OrderPlaced for the same order is a duplicate: nothing happens', () => {
    spec.given([placed()]).when(placed()).then({ send: [], state: { waitingFor: 'credit' } });
  });
});
