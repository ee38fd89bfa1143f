import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { ItemAdded } from '../../support/fixtureModules.js';
import { eventually } from '../../support/http.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * A projection runner whose database goes away (PostgreSQL stopped with `-m immediate` and
 * started again) retries with back-off, shows why while it does, and goes on by itself once the
 * database answers again: chaos seeds 1 and 8 saw runners stop for good at one position, silently.
 */
describe('projections while the database is unreachable', function () {
  this.timeout(30_000);

  it('retry, show the error meanwhile, and catch up by themselves once it is back', async () => {
    const dir = await tempDir('seams-reconnect-');
    const app = await startModules(dir.path);
    const readAll = app.store.readAll.bind(app.store);
    try {
      const shop = app.runtime.context('shop');
      // The log cannot be read: as a pool whose connections PostgreSQL cut answers.
      app.store.readAll = async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      };
      const itemId = randomUUID();
      const { position } = await app.store.append(`shop.item-${itemId}`, [{ type: ItemAdded.type, data: { itemId, title: 'kept', priceCents: 1 } }]);
      const runner = app.runtime.runners().find((r) => r.module === 'shop' && r.name === 'items')!;
      const down = await eventually(async () => (await runner.status()).error && (await runner.status()));
      expect(down.error!.message).to.contain('ECONNREFUSED');

      app.store.readAll = readAll;
      expect(await shop.waitFor(position, 10_000), 'caught up after the database came back').to.equal(true);
      expect(await shop.db(shop.tables('items').items).where({ item_id: itemId }).first()).to.include({ title: 'kept' });
      const status = await runner.status();
      expect([status.state, status.error]).to.deep.equal(['live', undefined]);
    } finally {
      app.store.readAll = readAll;
      await app.stop();
      await dir.cleanup();
    }
  });
});
