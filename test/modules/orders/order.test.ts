import { ConflictError, NotFoundError } from '../../../src/kernel/host.js';
import { OrderCancellationRequested, OrderCancelled, OrderConfirmed, OrderInvalidated, OrderPlaced, OrderRejected } from '../../../src/modules/orders/events.js';
import { order } from '../../../src/modules/orders/order.js';
import { deciderSpec as spec } from '../../../src/kernel/host.js';

const orderId = '0d000000-0000-4000-8000-000000000001';
const customerId = 'c0000000-0000-4000-8000-000000000001';
const lines = [{ itemId: '1e000000-0000-4000-8000-000000000001', quantity: 2 }];
const placedBy = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

const placed = { type: OrderPlaced.type, data: { orderId, customerId, placedBy, lines } };
const confirmed = { type: OrderConfirmed.type, data: { orderId, customerId, totalCents: 500 } };
const invalidated = (reason: string) => ({ type: OrderInvalidated.type, data: { orderId, reason } });
const rejected = { type: OrderRejected.type, data: { orderId, reason: 'credit-limit-exceeded', totalCents: 500 } };
const cancellationRequested = { type: OrderCancellationRequested.type, data: { orderId } };
const cancelled = { type: OrderCancelled.type, data: { orderId } };

const confirm = { kind: 'confirm' as const, orderId, customerId, totalCents: 500 };
const reject = { kind: 'reject' as const, orderId, reason: 'credit-limit-exceeded' as const, totalCents: 500 };
const invalidate = (reason: 'unknown-customer' | 'unknown-item' | 'customer-deleted') => ({ kind: 'invalidate' as const, orderId, reason });
const requestCancellation = { kind: 'requestCancellation' as const, orderId };
const completeCancellation = { kind: 'completeCancellation' as const, orderId };

describe('orders: order', () => {
  it('is placed once, unchecked', () => {
    spec(order).given([]).when({ kind: 'place', orderId, customerId, placedBy, lines }).then([placed]);
    spec(order).given([placed]).when({ kind: 'place', orderId, customerId, placedBy, lines }).thenThrows(ConflictError, /exists/);
  });

  it('a pending order becomes exactly one of confirmed, invalid or rejected', () => {
    spec(order).given([placed]).when(confirm).then([confirmed]);
    spec(order).given([placed]).when(invalidate('unknown-item')).then([invalidated('unknown-item')]);
    spec(order).given([placed]).when(reject).then([rejected]);
    spec(order).given([placed, rejected]).when(confirm).thenThrows(ConflictError, /rejected/);
    spec(order).given([placed, invalidated('unknown-customer')]).when(reject).thenThrows(ConflictError, /invalid/);
    spec(order).given([placed, confirmed]).when(reject).thenThrows(ConflictError, /confirmed/);
  });

  it('recording a status it already has (a command delivered again) is a no-op', () => {
    spec(order).given([placed, confirmed]).when(confirm).then([]);
    spec(order).given([placed, rejected]).when(reject).then([]);
    spec(order).given([placed, invalidated('unknown-item')]).when(invalidate('unknown-item')).then([]);
    spec(order).given([placed, confirmed, cancellationRequested, cancelled]).when(completeCancellation).then([]);
    // A confirmation delivered again after the order moved on changes nothing either.
    spec(order).given([placed, confirmed, cancellationRequested, cancelled]).when(confirm).then([]);
  });

  it('only a confirmed order can be cancelled; asking twice is a no-op', () => {
    spec(order).given([placed, confirmed]).when(requestCancellation).then([cancellationRequested]);
    spec(order).given([placed, confirmed, cancellationRequested]).when(requestCancellation).then([]);
    spec(order).given([placed]).when(requestCancellation).thenThrows(ConflictError, /pending: it cannot be cancelled/);
    spec(order).given([placed, rejected]).when(requestCancellation).thenThrows(ConflictError, /rejected/);
    spec(order).given([placed, invalidated('unknown-item')]).when(requestCancellation).thenThrows(ConflictError, /invalid/);
    spec(order).given([placed, confirmed, cancellationRequested, cancelled]).when(requestCancellation).thenThrows(ConflictError, /cancelled/);
  });

  it('a cancellation ends cancelled only once requested', () => {
    spec(order).given([placed, confirmed, cancellationRequested]).when(completeCancellation).then([cancelled]);
    spec(order).given([placed, confirmed]).when(completeCancellation).thenThrows(ConflictError, /confirmed/);
  });

  it('a deleted customer invalidates a pending, confirmed or cancelling order, not an ended one', () => {
    spec(order).given([placed]).when(invalidate('customer-deleted')).then([invalidated('customer-deleted')]);
    spec(order).given([placed, confirmed]).when(invalidate('customer-deleted')).then([invalidated('customer-deleted')]);
    spec(order).given([placed, confirmed, cancellationRequested]).when(invalidate('customer-deleted')).then([invalidated('customer-deleted')]);
    spec(order).given([placed, confirmed, cancellationRequested, cancelled]).when(invalidate('customer-deleted')).thenThrows(ConflictError, /cancelled/);
  });

  it('knows no order before it is placed', () => {
    spec(order).given([]).when(confirm).thenThrows(NotFoundError, /no order/);
    spec(order).given([]).when(requestCancellation).thenThrows(NotFoundError, /no order/);
  });
});
