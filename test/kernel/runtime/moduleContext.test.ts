import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { OwnershipError, ValidationError, defineModule } from '../../../src/kernel/host.js';
import { GetItem, ItemAdded, fixtureModules, shop } from '../../support/fixtureModules.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

describe('module context', function () {
  this.timeout(30_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let app: Awaited<ReturnType<typeof startModules>>;
  before(async () => {
    dir = await tempDir();
    app = await startModules(dir.path);
  });
  after(async () => {
    await app.stop();
    await dir.cleanup();
  });

  it('appends its own events to its own streams, with its name in the metadata', async () => {
    const shopCtx = app.runtime.context('shop');
    const itemId = randomUUID();
    const stream = shopCtx.events.stream('item', itemId);
    expect(stream).to.equal(`shop.item-${itemId}`);
    await shopCtx.events.append(stream, [{ type: ItemAdded.type, data: { itemId, title: 't', priceCents: 1 } }], { metadata: { actor: 'u-1' } });
    const [e] = await shopCtx.events.readStream(stream);
    expect(e!.metadata).to.deep.include({ module: 'shop', actor: 'u-1' });
  });

  it('refuses a foreign event type, a foreign stream and reading another module’s stream, writing nothing', async () => {
    const head = await app.store.headPosition();
    const mirrorCtx = app.runtime.context('mirror');
    const shopCtx = app.runtime.context('shop');
    const itemId = randomUUID();
    const data = { itemId, title: 't', priceCents: 1 };
    await expectOwnership(mirrorCtx.events.append(`mirror.item-${itemId}`, [{ type: ItemAdded.type, data }]), /may use only its own streams \(it declares none\), not mirror.item-/);
    await expectOwnership(shopCtx.events.append(`mirror.x-${itemId}`, [{ type: ItemAdded.type, data }]), /module shop may use only its own streams \(shop.item-<id>\), not mirror.x-/);
    await expectOwnership(shopCtx.events.readStream(`mirror.x-${itemId}`), /only its own streams/);
    expect(await app.store.headPosition()).to.equal(head);
  });

  it('refuses to append another module’s event type, writing nothing', async () => {
    const sneakyDir = await tempDir();
    const sneaky = await startModules(sneakyDir.path, { modules: [...fixtureModules, defineModule({ name: 'sneaky', streams: ['thing'] })] });
    try {
      const data = { itemId: 'x', title: 't', priceCents: 1 };
      await expectOwnership(sneaky.runtime.context('sneaky').events.append('sneaky.thing-1', [{ type: ItemAdded.type, data }]), /module sneaky may append only its own event types, not shop.ItemAdded/);
      expect(await sneaky.store.headPosition()).to.equal(0);
    } finally {
      await sneaky.stop();
      await sneakyDir.cleanup();
    }
  });

  it('gets no handle on another module’s database', () => {
    const shopCtx = app.runtime.context('shop');
    const mirrorCtx = app.runtime.context('mirror');
    expect(shopCtx.db).to.not.equal(mirrorCtx.db);
    expect(Object.keys(shopCtx)).to.not.include('runtime');
    expect(() => mirrorCtx.tables('items')).to.throw(/module mirror has no projection items/);
  });

  it('asks another module a query in-process, validating arguments and answer', async () => {
    const shopCtx = app.runtime.context('shop');
    const itemId = randomUUID();
    const { position } = await shopCtx.events.append(shopCtx.events.stream('item', itemId), [{ type: ItemAdded.type, data: { itemId, title: 'Lamp', priceCents: 5 } }]);
    await shopCtx.waitFor(position, 5000);
    const mirrorCtx = app.runtime.context('mirror');
    expect(await mirrorCtx.query(GetItem, { itemId })).to.deep.equal({ title: 'Lamp' });
    expect(await mirrorCtx.query(GetItem, { itemId: 'nope' })).to.equal(null);
    try {
      await mirrorCtx.query(GetItem, { itemId: 42 } as never);
      expect.fail('should refuse');
    } catch (error) {
      expect(error).to.be.instanceOf(ValidationError);
    }
  });
});

async function expectOwnership(promise: Promise<unknown>, message: RegExp) {
  try {
    await promise;
    expect.fail('should be refused');
  } catch (error) {
    expect(error).to.be.instanceOf(OwnershipError);
    expect((error as Error).message).to.match(message);
  }
}
