import { expect } from 'chai';
import { openModuleDatabase } from '../../../src/kernel/host.js';
import { ItemAdded, StockCounted } from '../../support/fixtureModules.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * A batch with none of a projection's events moves its position at once (reads may wait for
 * it), but the checkpoint row is written at most every `idleCheckpointMs` and on stop: not once
 * for every append anywhere in the log.
 */
describe('projection checkpoints past other events', function () {
  this.timeout(20_000);

  it('are not written for every unrelated append, yet the position follows the head, and stop writes it', async () => {
    const dir = await tempDir('seams-idle-');
    try {
      // An interval longer than the test: no checkpoint write is due while it runs.
      const app = await startModules(dir.path, { projections: { idleCheckpointMs: 60_000 } });
      const shop = app.runtime.context('shop');
      const mirror = app.runtime.context('mirror');
      await shop.events.append(shop.events.stream('item', 'i-1'), [{ type: ItemAdded.type, data: { itemId: 'i-1', title: 'Lamp', priceCents: 5 } }]);
      expect(await mirror.catchUp(5000)).to.equal(true);
      let writes = 0;
      mirror.db.on('query', (q: { sql: string }) => {
        if (/^update `projections`/.test(q.sql)) writes++;
      });
      // 100 events mirror does not read (StockCounted is private to shop), one at a time.
      for (let n = 0; n < 100; n++) {
        await shop.events.append(shop.events.stream('item', 'i-1'), [{ type: StockCounted.type, data: { itemId: 'i-1', count: n } }]);
        expect(await mirror.waitFor(await app.store.headPosition(), 5000)).to.equal(true);
      }
      expect(writes, 'checkpoint writes').to.equal(0);
      const head = await app.store.headPosition();
      await app.stop();
      const db = await openModuleDatabase('mirror', { kind: 'sqlite', dataDir: dir.path });
      expect(await db('projections').where({ name: 'shop_items', serving: true }).first()).to.include({ position: head, state: 'live' });
      await db.destroy();
    } finally {
      await dir.cleanup();
    }
  });

  it('a caught-up projection writes its row once the log has been quiet for the interval, so the row says live at the head', async () => {
    const dir = await tempDir('seams-idle-');
    try {
      const app = await startModules(dir.path, { projections: { idleCheckpointMs: 200 } });
      const shop = app.runtime.context('shop');
      const mirror = app.runtime.context('mirror');
      for (let n = 0; n < 5; n++) await shop.events.append(shop.events.stream('item', 'i-1'), [{ type: StockCounted.type, data: { itemId: 'i-1', count: n } }]);
      const head = await app.store.headPosition();
      const row = () => mirror.db('projections').where({ name: 'shop_items', serving: true }).first();
      const deadline = Date.now() + 5000;
      while ((await row()).position !== head && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await row()).to.include({ position: head, state: 'live' });
      await app.stop();
    } finally {
      await dir.cleanup();
    }
  });
});
