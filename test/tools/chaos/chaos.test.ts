/**
 * `npm run chaos`, short and seeded, on both stores: three members and a gateway under a mixed
 * workload while every kind of fault is injected, then healed and checked. Nothing acknowledged
 * may be lost or duplicated, and no invariant may be violated. A failure names the seed: run
 * `npm run chaos -- --seed <seed> --minutes 0.5 --fault-gap 6 --clients 2 [--store postgres]` to see the same schedule again.
 */
import { expect } from 'chai';
import { runCampaign } from '../../../tools/chaos/campaign.js';
import { reportLines } from '../../../tools/chaos/report.js';
import { FAULT_KINDS } from '../../../tools/chaos/schedule.js';
import { ownPostgresUnavailable } from '../../support/ownPostgres.js';

const SEED = 14;
/** 30 s of workload and faults per store: with start, healing and the checks, about 70 s each (the default test run's budget). */
const MINUTES = 0.5;

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`the chaos campaign (${store}, seed ${SEED}, ${MINUTES * 60} s)`, function () {
    this.timeout(10 * 60_000);

    it('loses nothing acknowledged, duplicates nothing, and violates no invariant', async function () {
      const unavailable = store === 'postgres' ? ownPostgresUnavailable() : null;
      if (unavailable) {
        if (process.env.CI === 'true') throw new Error(unavailable);
        return this.skip();
      }
      const lines: string[] = [];
      const outcome = await runCampaign({
        seed: SEED,
        minutes: MINUTES,
        store,
        // .eml files on SQLite; on PostgreSQL an SMTP server that counts every delivery (a second shows).
        mail: store === 'sqlite' ? 'files' : 'smtp',
        faults: FAULT_KINDS,
        clients: 2,
        faultGapMs: 6000,
        leaseTtlMs: 2000,
        quietTimeoutMs: 120_000,
        keep: false,
        logLevel: 'warn',
        progress: () => undefined,
        log: (line) => lines.push(line),
      });
      const report = reportLines(outcome).join('\n');
      // The campaign really ran: a workload was answered and faults were injected.
      expect(outcome.verdict.acknowledged, report).to.be.greaterThan(50);
      expect(outcome.faults.filter((f) => f.outcome === 'done').length, report).to.be.at.least(1); // a restart storm alone takes 45 s on a loaded machine
      expect({ lost: outcome.verdict.lost, duplicated: outcome.verdict.duplicated, violations: outcome.verdict.violations }, report).to.deep.equal({ lost: 0, duplicated: 0, violations: [] });
    });
  });
}
