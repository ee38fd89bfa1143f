import { ConflictError, NotFoundError } from '../../../src/kernel/host.js';
import { CreditLimitExceeded, CreditReleased, CreditReserved, CustomerDeleted, CustomerRegistered } from '../../../src/modules/customers/contracts.js';
import { customer } from '../../../src/modules/customers/customer.js';
import { deciderSpec as spec } from '../../../src/kernel/host.js';

const customerId = 'c0000000-0000-4000-8000-000000000001';
const [order1, order2, order3] = ['01000000-0000-4000-8000-000000000001', '01000000-0000-4000-8000-000000000002', '01000000-0000-4000-8000-000000000003'];

const ownerId = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const registered = { type: CustomerRegistered.type, data: { customerId, ownerId, name: 'Ada', email: 'ada@example.com', creditLimitCents: 1000 } };
const reserved = (orderId: string, amountCents: number) => ({ type: CreditReserved.type, data: { customerId, orderId, amountCents } });
const released = (orderId: string, amountCents: number) => ({ type: CreditReleased.type, data: { customerId, orderId, amountCents } });
const exceeded = (orderId: string, amountCents: number, availableCents: number) => ({ type: CreditLimitExceeded.type, data: { customerId, orderId, amountCents, availableCents } });
const deleted = { type: CustomerDeleted.type, data: { customerId } };

const reserve = (orderId: string, amountCents: number) => ({ kind: 'reserve' as const, customerId, orderId, amountCents });
const release = (orderId: string) => ({ kind: 'release' as const, customerId, orderId });

describe('customers: customer', () => {
  it('registers with its credit limit', () => {
    spec(customer).given([]).when({ kind: 'register', customerId, ownerId, name: 'Ada', email: 'ada@example.com', creditLimitCents: 1000 }).then([registered]);
  });

  it('reserves credit up to its limit, counting what is reserved already', () => {
    spec(customer).given([registered]).when(reserve(order1, 1000)).then([reserved(order1, 1000)]);
    spec(customer).given([registered, reserved(order1, 600)]).when(reserve(order2, 400)).then([reserved(order2, 400)]);
  });

  it('refuses a reservation beyond its limit, saying what is available', () => {
    spec(customer).given([registered, reserved(order1, 600)]).when(reserve(order2, 401)).then([exceeded(order2, 401, 400)]);
  });

  it('decides once per order: a second reserve for the same order emits nothing, whatever was decided', () => {
    spec(customer).given([registered, reserved(order1, 600)]).when(reserve(order1, 600)).then([]);
    spec(customer).given([registered, exceeded(order1, 5000, 1000)]).when(reserve(order1, 5000)).then([]);
    spec(customer).given([registered, reserved(order1, 600), released(order1, 600)]).when(reserve(order1, 600)).then([]);
    spec(customer).given([registered, reserved(order1, 600), released(order1, 600), deleted]).when(reserve(order1, 600)).then([]);
  });

  it('a released reservation frees its credit', () => {
    spec(customer).given([registered, reserved(order1, 600), released(order1, 600)]).when(reserve(order2, 1000)).then([reserved(order2, 1000)]);
  });

  it('releases an open reservation with its amount', () => {
    spec(customer).given([registered, reserved(order1, 600)]).when(release(order1)).then([released(order1, 600)]);
  });

  it('releasing an unknown or already released reservation, or for a deleted or unknown customer, is a no-op', () => {
    spec(customer).given([registered]).when(release(order1)).then([]);
    spec(customer).given([registered, reserved(order1, 600), released(order1, 600)]).when(release(order1)).then([]);
    spec(customer).given([registered, exceeded(order1, 5000, 1000)]).when(release(order1)).then([]);
    spec(customer).given([registered, reserved(order1, 600), released(order1, 600), deleted]).when(release(order1)).then([]);
    spec(customer).given([]).when(release(order1)).then([]);
  });

  it('refuses to reserve for an unknown or deleted customer', () => {
    spec(customer).given([]).when(reserve(order1, 1)).thenThrows(NotFoundError, /no customer/);
    spec(customer).given([registered, deleted]).when(reserve(order1, 1)).thenThrows(ConflictError, /deleted/);
  });

  it('deleting releases every open reservation first, then deletes', () => {
    spec(customer)
      .given([registered, reserved(order1, 100), reserved(order2, 200), released(order1, 100), reserved(order3, 300)])
      .when({ kind: 'delete', customerId })
      .then([released(order2, 200), released(order3, 300), deleted]);
  });

  it('a deleted customer is gone: deleting it again, like deleting an unknown customer, is refused (404)', () => {
    spec(customer).given([registered, deleted]).when({ kind: 'delete', customerId }).thenThrows(NotFoundError, /no customer/);
    spec(customer).given([]).when({ kind: 'delete', customerId }).thenThrows(NotFoundError, /no customer/);
  });
});
