import { randomUUID } from 'node:crypto';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { command, defineModule, defineProcess, react } from '../../../src/kernel/host.js';
import { eventually } from '../../support/http.js';
import { Held, Release, Released, TripBooked, ledger, processModules } from '../../support/processFixtures.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * A process's module database restored from an older copy replays its events and may decide
 * otherwise than before (its facts changed): its first command is then another command than the
 * one sent before under the same position in the instance. It must get an id of its own, or the
 * receiver takes it for the earlier command and drops it (chaos seed 6: an order pending forever).
 */
const releasingTrips = defineModule({
  name: 'trips',
  privateEvents: [TripBooked],
  streams: ['trip'],
  processes: [
    defineProcess<{ tripId: string }>({
      name: 'trip',
      initialState: (tripId) => ({ tripId }),
      sends: [Release],
      reactions: [react(TripBooked, { start: (e) => e.data.tripId, decide: (state) => ({ step: 'releasing', send: [command(Release, { holdId: `${state.tripId}/leg-0` })] }) })],
    }),
  ],
});

describe('process commands: ids derived from the cause and the command', function () {
  this.timeout(30_000);

  it('a replay that decides another command sends it under another id: it is acted on, not taken for the earlier one', async () => {
    const dir = await tempDir('seams-advance-');
    const options = { processes: { pollMs: 10, backoffMs: 5, maxBackoffMs: 20 } };
    let app = await startModules(dir.path, { ...options, modules: processModules });
    const tripsDb = join(dir.path, 'modules', 'trips.sqlite');
    try {
      await app.stop();
      await copyFile(tripsDb, `${tripsDb}.backup`);
      app = await startModules(dir.path, { ...options, modules: processModules });
      const tripId = randomUUID();
      const ctx = app.runtime.context('trips');
      await ctx.events.append(ctx.events.stream('trip', tripId), [{ type: TripBooked.type, data: { tripId, legs: [10] } }]);
      await eventually(async () => (await app.store.readAll({ filter: { eventTypes: [Held.type] } })).length === 1);
      await app.stop();

      // The trips database put back as it was before the trip; the process now decides to release.
      await copyFile(`${tripsDb}.backup`, tripsDb);
      app = await startModules(dir.path, { ...options, modules: [ledger, releasingTrips] });
      const sent = await eventually(async () => {
        const instance = await app.runtime.processInstance('trip', tripId);
        return instance?.commands.every((c) => c.status === 'done') && instance.commands;
      });
      expect(sent.map((c) => c.type)).to.deep.equal(['ledger.Release']);
      const released = await app.store.readAll({ filter: { eventTypes: [Released.type] } });
      expect(released, 'the release acted on').to.have.length(1);
    } finally {
      await app.stop();
      await dir.cleanup();
    }
  });
});
