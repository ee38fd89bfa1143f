import { expect } from 'chai';
import pino from 'pino';
import { BrokerLink, Coordination, registryOf, SqliteEventStore, ValidationError } from '../../../src/kernel/host.js';
import { copyHistory } from '../../../src/kernel/broker/history.js';
import { fixtureModules, ItemAdded, ItemRenamed, mirror, shop, StockCounted } from '../../support/fixtureModules.js';
import { tempDir } from '../../support/tempDir.js';

describe("copying an extracted module's history into its own store", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const stores: SqliteEventStore[] = [];
  const open = async (name: string) => {
    const store = await SqliteEventStore.open({ filename: `${dir.path}/${name}.sqlite`, registry: registryOf(fixtureModules) });
    stores.push(store);
    return store;
  };
  let shared: SqliteEventStore;

  beforeEach(async () => {
    dir = await tempDir('seams-history-');
    shared = await open('shared');
    for (let i = 1; i <= 3; i++) {
      await shared.append(`shop.item-${i}`, [{ type: ItemAdded.type, data: { itemId: `${i}`, title: `item ${i}`, priceCents: i } }], { expectedRevision: 'no_stream' });
      await shared.append(`shop.item-${i}`, [{ type: StockCounted.type, data: { itemId: `${i}`, count: 5 } }], { expectedRevision: 0 });
    }
    await shared.append('shop.item-2', [{ type: ItemRenamed.type, data: { itemId: '2', title: 'two' } }], { expectedRevision: 1 });
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await dir.cleanup();
  });

  it("its own streams come along whole: same ids, streams, revisions and data, in log order, written there (not received)", async () => {
    const own = await open('shop');
    const copy = await copyHistory(shared, own, shop, fixtureModules, 'main');
    expect(copy).to.deep.equal({ own: 7, received: 0, upTo: await shared.headPosition() });
    const shape = (e: { id: string; stream: string; revision: number; type: string; data: unknown }) => [e.id, e.stream, e.revision, e.type, e.data];
    expect((await own.readAll()).map(shape)).to.deep.equal((await shared.readAll()).map(shape));
    expect((await own.readAll()).every((e) => e.metadata.source === undefined)).to.equal(true);
  });

  it('what it consumes from the modules staying behind comes as received from the shared store; nothing else', async () => {
    const own = await open('mirror');
    const copy = await copyHistory(shared, own, mirror, fixtureModules, 'main');
    expect(copy).to.include({ own: 0, received: 4 });
    const copies = await own.readAll();
    const originals = (await shared.readAll()).filter((e) => e.type !== StockCounted.type);
    expect(copies.map((e) => e.id)).to.deep.equal(originals.map((e) => e.id));
    expect(copies.map((e) => e.metadata.source)).to.deep.equal(originals.map((e) => ({ store: 'main', position: e.position, revision: e.revision })));
  });

  it('is safe to run again (or after an interruption): nothing is written twice', async () => {
    const own = await open('shop');
    await copyHistory(shared, own, shop, fixtureModules, 'main');
    const head = await own.headPosition();
    await shared.append('shop.item-4', [{ type: ItemAdded.type, data: { itemId: '4', title: 'late', priceCents: 4 } }]);
    const again = await copyHistory(shared, own, shop, fixtureModules, 'main');
    expect(again.own).to.equal(8);
    expect(await own.headPosition()).to.equal(head + 1);
  });

  it('a deployable started with --own-store refuses a store holding other modules’ events written there; its own copy passes', async () => {
    const coordination = await Coordination.open({ store: 'sqlite', dataDir: dir.path });
    const start = (store: SqliteEventStore, running: string[]) =>
      BrokerLink.start({ config: { brokerUrl: 'amqp://127.0.0.1:1', ownStore: true }, store, coordination, registry: registryOf(fixtureModules), modules: fixtureModules, running, processId: 'p', log: pino({ level: 'silent' }) });
    try {
      let refused: unknown;
      await start(shared, ['mirror']).catch((e) => (refused = e));
      expect(refused).to.be.instanceOf(ValidationError);
      expect((refused as Error).message).to.match(/^store mirror is not a store of its own: it holds shop\.ItemAdded \(position 1\) written there/);
      const own = await open('mirror');
      await copyHistory(shared, own, mirror, fixtureModules, 'main');
      const link = await start(own, ['mirror']);
      expect(link.storeName).to.equal('mirror');
      await link.stop();
    } finally {
      await coordination.close();
    }
  });
});
