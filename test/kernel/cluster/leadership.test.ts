import { expect } from 'chai';
import { Coordination } from '../../../src/kernel/cluster/coordination.js';
import { Leadership } from '../../../src/kernel/cluster/leadership.js';
import { eventually } from '../../support/http.js';
import { quietLog } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

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

/**
 * A process killed while leading and started again in its slot (same process id) before its lease
 * expired leads under a new fencing number: what the dead one left unfinished under its number
 * (an SMTP hand-over without an answer) is the new one's to do again (chaos seed 14, PostgreSQL).
 */
describe('leadership after a restart in the same slot', () => {
  it('takes its unexpired lease back under a new number; renewals keep it', async () => {
    const dir = await tempDir('seams-leadership-');
    const coordination = await Coordination.open({ store: 'sqlite', dataDir: dir.path });
    try {
      // The killed incarnation's lease: taken under number 1, most of a minute still to run.
      const dead = await coordination.take('communications', 'host:1', 60_000);
      const numbers: number[] = [];
      const restarted = new Leadership({ coordination, processId: 'host:1', url: 'http://host:1', leaseTtlMs: 300 }, ['communications'], {
        lead: async (_module, n) => void numbers.push(n),
        follow: async () => void numbers.push(-1),
      }, quietLog);
      await restarted.start();
      await new Promise((resolve) => setTimeout(resolve, 500)); // several renewals (every 100 ms)
      await restarted.stop();
      expect(numbers, 'led once, under a number above the dead one’s, and kept it while renewing').to.deep.equal([dead!.epoch + 1]);
    } finally {
      await coordination.close();
      await dir.cleanup();
    }
  });
});
