import { expect } from 'chai';
import { EventRegistry } from '../../../src/kernel/host.js';
import { OrderPlaced } from '../../../src/modules/orders/events.js';

describe('orders: events', () => {
  it('OrderPlaced version 2 names who placed it; a version-1 order is read with placedBy null (operators only, its customer not checked)', () => {
    const registry = new EventRegistry([OrderPlaced]);
    const v1 = { orderId: 'd0000000-0000-4000-8000-000000000001', customerId: 'c0000000-0000-4000-8000-000000000001', lines: [{ itemId: 'e0000000-0000-4000-8000-000000000001', quantity: 1 }] };
    expect(registry.upcast(OrderPlaced.type, 1, v1)).to.deep.equal({ data: { ...v1, placedBy: null }, schemaVersion: 2 });
  });
});
