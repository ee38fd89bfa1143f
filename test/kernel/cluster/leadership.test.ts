import { expect } from 'chai';
import type { Coordination } from '../../../src/kernel/cluster/coordination.js';
import { Leadership } from '../../../src/kernel/cluster/leadership.js';
import { eventually } from '../../support/http.js';
import { quietLog } from '../../support/runtimeHarness.js';

/**
 * The lease loop outlives a database that goes away: renewals fail, the leader stops its work
 * (and stopping may fail too, the database being away), and once the database is back the loop
 * takes the lease again and leads. Chaos seeds 1 and 8 (PostgreSQL stopped and started) saw
 * modules stop for good: stopping the work threw, and the loop ended with nobody to see it.
 */
describe('leadership while the database is unreachable', () => {
  it('keeps trying, and leads again once the database is back', async () => {
    let down = false;
    const unreachable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    let epoch = 0;
    const coordination = {
      announce: async () => {
        if (down) throw unreachable();
      },
      take: async () => {
        if (down) throw unreachable();
        return { epoch: ++epoch };
      },
      release: async () => undefined,
      leave: async () => undefined,
    } as unknown as Coordination;
    const roles: string[] = [];
    const leadership = new Leadership({ coordination, processId: 'p1', url: 'http://p1', leaseTtlMs: 150 }, ['orders'], {
      lead: async (module, n) => void roles.push(`lead ${module} ${n}`),
      follow: async (module) => {
        roles.push(`follow ${module}`);
        if (down) throw unreachable(); // stopping the work wrote a checkpoint: the database is away
      },
    }, quietLog);
    await leadership.start();
    try {
      expect(leadership.isLeading('orders')).to.equal(true);
      down = true;
      await eventually(async () => roles.includes('follow orders'));
      expect(leadership.isLeading('orders'), 'stopped its work without renewals').to.equal(false);
      down = false;
      await eventually(async () => leadership.isLeading('orders'));
      expect(roles.filter((r) => r.startsWith('lead'))).to.have.length.of.at.least(2);
    } finally {
      await leadership.stop();
    }
  });
});
