import { expect } from 'chai';
import { prepareEvents } from '../../../src/kernel/event-store/prepare.js';
import { happened, testRegistry } from '../../support/testEvents.js';

describe('prepareEvents: the ids it gives events', () => {
  it('are distinct UUIDv7s stamped with the time of the append, across refills of the random pool', () => {
    const registry = testRegistry();
    const before = Date.now();
    // 1,000 ids: the pool holds 256, so it is refilled three times on the way.
    const ids = Array.from({ length: 100 }, (_, batch) => prepareEvents(registry, `test.thing-${batch}`, Array.from({ length: 10 }, (_, i) => happened(i))).map((e) => e.id)).flat();
    const after = Date.now();
    expect(new Set(ids).size).to.equal(1000);
    for (const id of ids) {
      expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const msecs = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      expect(msecs).to.be.within(before, after);
    }
    // The random part differs between ids, not only a counter: no two share their last 62 bits.
    expect(new Set(ids.map((id) => id.slice(19))).size).to.equal(1000);
  });

  it('keeps an id the caller gave', () => {
    const [event] = prepareEvents(testRegistry(), 'test.thing-1', [happened(1, { id: '0190a000-0000-7000-8000-000000000001' })]);
    expect(event!.id).to.equal('0190a000-0000-7000-8000-000000000001');
  });
});
