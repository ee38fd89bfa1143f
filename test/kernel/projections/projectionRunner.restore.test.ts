import { randomUUID } from 'node:crypto';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { Held, TripBooked, ledgerFaults, processModules } from '../../support/processFixtures.js';
import { eventually } from '../../support/http.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * Process instances when the log is restored from an older backup. A process is run like a
 * projection, so it is rebuilt from the restored log by itself: an instance started by an event
 * the log no longer has is gone; an instance whose events remain is rebuilt, and the commands it
 * sent are sent again under the same ids, which their receiver has handled already: nothing acts
 * twice. (A receiver that remembers handling a command whose events the restore lost does not act
 * again on it: see README, "Reliability".)
 */
describe('processes after the log was restored from an older backup', function () {
  this.timeout(30_000);

  it('instances converge to the restored log: the lost trip is gone, the kept one is rebuilt, its commands are not acted on twice', async () => {
    // The ledger is shared by the process tests (module state): this one needs it cooperative.
    Object.assign(ledgerFaults, { transientFailures: 0, refuse: false, crashOnRelease: 0 });
    const dir = await tempDir('seams-restored-');
    const options = { modules: processModules, processes: { pollMs: 10, backoffMs: 5, maxBackoffMs: 20 } };
    let app = await startModules(dir.path, options);
    const booked = async (tripId: string) => {
      const ctx = app.runtime.context('trips');
      await ctx.events.append(ctx.events.stream('trip', tripId), [{ type: TripBooked.type, data: { tripId, legs: [10, 20] } }]);
      return eventually(async () => (await app.runtime.processInstances({ type: 'trip' })).find((i) => i.id === tripId && i.step === 'booked'));
    };
    try {
      const kept = randomUUID();
      await booked(kept);
      await app.stop();
      await copyFile(join(dir.path, 'events.sqlite'), join(dir.path, 'events-backup.sqlite'));
      app = await startModules(dir.path, options);
      const lost = randomUUID();
      await booked(lost);
      await app.stop();
      await copyFile(join(dir.path, 'events-backup.sqlite'), join(dir.path, 'events.sqlite'));
      const heldBefore = (await startLog(dir.path)).filter((e) => e.type === Held.type).length;
      const callsBefore = ledgerFaults.holdCalls;

      app = await startModules(dir.path, options);
      const instances = await eventually(async () => {
        const list = await app.runtime.processInstances({ type: 'trip' });
        return list.length === 1 && list;
      });
      expect(instances.map((i) => [i.id, i.status, i.step])).to.deep.equal([[kept, 'running', 'booked']]);
      const detail = (await app.runtime.processInstance('trip', kept))!;
      // Its two holds are sent again (same ids) and done; the ledger acts on neither a second time.
      await eventually(async () => (await app.runtime.processInstance('trip', kept))!.commands.every((c) => c.status === 'done'));
      expect(detail.commands.map((c) => c.type)).to.deep.equal(['ledger.Hold', 'ledger.Hold']);
      expect(ledgerFaults.holdCalls - callsBefore, 'delivered again').to.be.at.most(2);
      const held = (await app.store.readAll({ filter: { eventTypes: [Held.type] } })).length;
      expect(held, 'no Held event twice').to.equal(heldBefore);
    } finally {
      await app.stop();
      await dir.cleanup();
    }
  });
});

/** The events of the data directory's log, read with a store of its own. */
async function startLog(dataDir: string) {
  const app = await startModules(dataDir, { modules: processModules, startProjections: false });
  try {
    return await app.store.readAll({});
  } finally {
    await app.stop();
  }
}
