import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { lookGenerations, loadGenerations } from '../../../src/kernel/projections/generations.js';
import { lookParkedStreams, park, parkedStreams } from '../../../src/kernel/projections/parking.js';
import { nextBeat } from '../../../src/kernel/projections/projectionRunner.js';
import type { RecordedEvent } from '../../../src/kernel/types/eventStore.js';
import { moduleDatabaseFile } from '../../../src/kernel/modules/moduleDatabase.js';
import { openSqlite } from '../../../src/kernel/sqlite/connection.js';
import { startModules } from '../../support/runtimeHarness.js';
import { sqliteTripsDuring } from '../../support/sqliteTrips.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * Each runner looks twice a second whether another process changed its generations or parked
 * streams. The looks of one turn go to a module's database as one query per table (runners look
 * on a shared beat, and under load wake on the same commit), each answered with its own rows.
 */
describe('runners’ looks at their generations and parked streams', function () {
  this.timeout(20_000);

  it('looks asked in one turn are one query per table, each answered as its own look would be', async () => {
    const dir = await tempDir('seams-looks-');
    const app = await startModules(dir.path);
    const appDb = app.runtime.context('shop').db;
    const [items, counts] = await Promise.all([loadGenerations(appDb, 'items'), loadGenerations(appDb, 'counts')]);
    const event = { position: 1, stream: `shop.item-${randomUUID()}`, id: randomUUID() } as RecordedEvent;
    // A parked event of items' serving generation, and one of a generation it does not have.
    await park(appDb, items[0]!, event, 'boom');
    await park(appDb, { name: 'items', generation: 99 }, { ...event, position: 2 }, 'elsewhere');
    // Stopped, so that only the looks below reach the database (the runners look on their own beat).
    await app.stop();
    const db = openSqlite({ filename: moduleDatabaseFile(dir.path, 'shop') });
    try {
      // What each look answers on its own, read before the gathered looks.
      const alone = [await loadGenerations(db, 'items'), await loadGenerations(db, 'counts'), await parkedStreams(db, items[0]!), await parkedStreams(db, counts[0]!)];
      let looked: unknown[] = [];
      const { statementTexts } = await sqliteTripsDuring(async () => {
        looked = await Promise.all([lookGenerations(db, 'items'), lookGenerations(db, 'counts'), lookParkedStreams(db, items[0]!), lookParkedStreams(db, counts[0]!)]);
      });
      expect(looked).to.deep.equal(alone);
      expect((looked[2] as { stream: string }[]).map((s) => s.stream)).to.deep.equal([event.stream]);
      expect(looked[3]).to.deep.equal([]);
      const queries = (table: string) => statementTexts.filter((sql) => sql.includes(`from \`${table}\``));
      expect(queries('projections')).to.have.length(1);
      expect(queries('parked_events')).to.have.length(1);
    } finally {
      await db.destroy();
      await dir.cleanup();
    }
  });

  it('the beat every runner looks on: the next multiple of 400 ms on the clock', () => {
    const before = Date.now();
    const beat = nextBeat();
    expect(beat % 400).to.equal(0);
    expect(beat).to.be.above(before).and.at.most(before + 400);
  });
});
