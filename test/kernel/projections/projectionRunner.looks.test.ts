import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { ItemAdded } from '../../support/fixtureModules.js';
import { startModules } from '../../support/runtimeHarness.js';
import { sqliteTripsDuring } from '../../support/sqliteTrips.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * Each runner looks twice a second whether another process changed its generations or parked
 * streams. The runners of a module look on a shared beat, and those woken by the same commit look
 * in one query: the shop module's two projections, not one query each.
 */
describe('projection runners’ looks for changes elsewhere', function () {
  this.timeout(20_000);

  it('a module’s runners woken together look at their generations and parked streams in one query each', async () => {
    const dir = await tempDir('seams-looks-');
    const app = await startModules(dir.path);
    try {
      const ctx = app.runtime.context('shop');
      const { statementTexts } = await sqliteTripsDuring(async () => {
        // Appends every 20 ms for over two beats: every commit wakes both runners together.
        for (const until = Date.now() + 1200; Date.now() < until; ) {
          const itemId = randomUUID();
          await ctx.events.append(ctx.events.stream('item', itemId), [{ type: ItemAdded.type, data: { itemId, title: 'x', priceCents: 1 } }]);
          await new Promise((r) => setTimeout(r, 20));
        }
      });
      const looks = (table: string) => statementTexts.filter((sql) => new RegExp(`from [\`"]${table}[\`"] where [\`"](name|projection)[\`"] in`).test(sql));
      for (const table of ['projections', 'parked_events']) {
        const together = looks(table).filter((sql) => /in \(\?, \?/.test(sql));
        expect(together.length, `${table}: looks naming both of shop's projections`).to.be.at.least(1);
      }
    } finally {
      await app.stop();
      await dir.cleanup();
    }
  });
});
