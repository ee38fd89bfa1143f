import { expect } from 'chai';
import { EventRegistry } from '../../../src/kernel/host.js';
import { CustomerRegistered } from '../../../src/modules/customers/contracts.js';

describe('customers: contracts', () => {
  it('CustomerRegistered version 2 names the owner; a version-1 event is read with ownerId null (only operators see such a customer)', () => {
    expect(CustomerRegistered.schemaVersion).to.equal(2);
    const registry = new EventRegistry([CustomerRegistered]);
    const v1 = { customerId: 'c0000000-0000-4000-8000-000000000001', name: 'Old', email: 'old@example.com', creditLimitCents: 100 };
    expect(registry.upcast(CustomerRegistered.type, 1, v1)).to.deep.equal({ data: { ...v1, ownerId: null }, schemaVersion: 2 });
    expect(CustomerRegistered.schema.safeParse({ ...v1, ownerId: null }).success).to.equal(true);
  });
});
