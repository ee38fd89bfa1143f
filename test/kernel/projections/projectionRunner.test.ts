import { randomUUID } from 'node:crypto';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { defineProjection, moduleDatabaseFile, on, registryOf, retryProjection, skipFailedEvent, SqliteEventStore, type EventStore } from '../../../src/kernel/host.js';
import { fixtureModules, ItemAdded, ItemRenamed, StockCounted } from '../../support/fixtureModules.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';
import { openSqlite } from '../../../src/kernel/sqlite/connection.js';

type App = Awaited<ReturnType<typeof startModules>>;

async function addItems(store: EventStore, n: number, title = (i: number) => `item ${i}`) {
  let position = 0;
  for (let i = 0; i < n; i++) {
    const itemId = randomUUID();
    ({ position } = await store.append(`shop.item-${itemId}`, [
      { type: ItemAdded.type, data: { itemId, title: title(i), priceCents: i } },
      { type: ItemRenamed.type, data: { itemId, title: `${title(i)} (renamed)` } },
      { type: StockCounted.type, data: { itemId, count: i } },
    ]));
  }
  return position;
}

/** Every table of a module's projections, row for row, in a stable order. */
async function snapshot(app: App, module: string) {
  const ctx = app.runtime.context(module);
  const out: Record<string, unknown[]> = {};
  for (const runner of app.runtime.runners().filter((r) => r.module === module)) {
    for (const [logical, physical] of Object.entries(runner.tables)) {
      out[`${runner.name}.${logical}`] = await ctx.db(physical).select().orderBy(Object.keys(await ctx.db(physical).columnInfo())[0]!);
    }
  }
  return out;
}

describe('projections', function () {
  this.timeout(60_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let app: App | undefined;
  beforeEach(async () => {
    dir = await tempDir('seams-proj-');
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await dir.cleanup();
  });

  it('catch up on the log, then follow it live; waitFor reports when a position is reached', async () => {
    app = await startModules(dir.path);
    const position = await addItems(app.store, 20);
    expect(await app.runtime.context('shop').waitFor(position, 5000)).to.equal(true);
    const shop = app.runtime.context('shop');
    expect(await shop.db(shop.tables('items').items).count({ n: '*' }).first()).to.deep.equal({ n: 20 });
    expect(await shop.db(shop.tables('counts').counts).orderBy('kind')).to.deep.equal([
      { kind: 'added', n: 20 },
      { kind: 'counted', n: 20 },
      { kind: 'renamed', n: 20 },
    ]);
    const mirror = app.runtime.context('mirror');
    expect(await mirror.waitFor(position, 5000)).to.equal(true);
    const titles = await mirror.db(mirror.tables('shop_items').shop_items).pluck('title');
    expect(titles).to.have.length(20);
    expect(titles.every((t: string) => t.endsWith('(renamed)'))).to.equal(true);
    const statuses = await app.runtime.projectionStatus();
    expect(statuses.map((s) => [s.module, s.projection, s.state, s.lag, s.position === s.headPosition])).to.deep.equal([
      ['shop', 'items', 'live', 0, true],
      ['shop', 'counts', 'live', 0, true],
      ['mirror', 'shop_items', 'live', 0, true],
    ]);
    // waitFor answers false, not forever, for a position nobody has written.
    expect(await shop.waitFor(position + 1000, 50)).to.equal(false);
  });

  it('a crash between a batch’s writes and its commit replays to an exactly-once effect', async () => {
    let crashes = 0;
    app = await startModules(dir.path, {
      projections: {
        batchSize: 7,
        beforeCommit: () => {
          if (crashes < 3 && Math.random() < 0.5) {
            crashes++;
            throw new Error('injected crash before commit');
          }
        },
      },
    });
    const position = await addItems(app.store, 30);
    expect(await app.runtime.context('shop').waitFor(position, 10_000)).to.equal(true);
    expect(crashes).to.be.greaterThan(0);
    const shop = app.runtime.context('shop');
    // Renames increment a counter, so any event applied twice would show as 2.
    const renames = await shop.db(shop.tables('items').items).pluck('renames');
    expect(renames).to.have.length(30);
    expect(new Set(renames)).to.deep.equal(new Set([1]));
    expect(await shop.db(shop.tables('counts').counts).where({ kind: 'added' }).first()).to.deep.equal({ kind: 'added', n: 30 });
  });

  it('a process killed mid-batch (no commit) resumes from its checkpoint without double effects', async () => {
    app = await startModules(dir.path, { startProjections: false });
    const position = await addItems(app.store, 10);
    await app.stop();
    // Restart with a runner whose every commit fails: as if the process died before each commit.
    app = await startModules(dir.path, { projections: { maxAttempts: 1_000_000, beforeCommit: () => { throw new Error('power cut'); } } });
    await new Promise((r) => setTimeout(r, 100));
    await app.stop();
    app = await startModules(dir.path);
    expect(await app.runtime.context('shop').waitFor(position, 5000)).to.equal(true);
    const shop = app.runtime.context('shop');
    expect(await shop.db(shop.tables('items').items).pluck('renames')).to.deep.equal(Array(10).fill(1));
  });

  it('a poison event stops its projection visibly while the others go on; retry and skip resume it', async () => {
    app = await startModules(dir.path);
    await addItems(app.store, 3);
    const poisonId = randomUUID();
    const { position: poisonPosition } = await app.store.append(`shop.item-${poisonId}`, [
      { type: ItemAdded.type, data: { itemId: poisonId, title: 'poison', priceCents: 1 } },
    ]);
    const after = await addItems(app.store, 2);
    const mirror = app.runtime.context('mirror');
    expect(await mirror.waitFor(after, 5000)).to.equal(true); // the other module's projection went on
    const runner = app.runtime.runner('shop', 'items');
    await until(async () => (await runner.status()).state === 'failed');
    const status = await runner.status();
    expect(status.error?.position).to.equal(poisonPosition);
    expect(status.error?.message).to.equal(`cannot project item ${poisonId}`);
    expect(status.position).to.be.below(poisonPosition);
    expect((await app.runtime.runner('shop', 'counts').status()).state).to.equal('live');
    const shop = app.runtime.context('shop');
    expect(await shop.waitFor(after, 100)).to.equal(false);
    const items = shop.tables('items').items;
    expect(await shop.db(items).count({ n: '*' }).first()).to.deep.equal({ n: 3 }); // everything before the poison event is in

    // retry: fails again, for the same reason, at the same event.
    await retryProjection(shop.db, 'shop', 'items');
    await until(async () => (await runner.status()).state === 'catching-up');
    await until(async () => (await runner.status()).state === 'failed');
    expect((await runner.status()).error?.position).to.equal(poisonPosition);

    // skip: passes over it for good, records the skip in the log, and the projection catches up.
    await skipFailedEvent(shop.db, app.store, 'shop', 'items', 'bad data, fixed by hand');
    expect(await shop.waitFor(after, 5000)).to.equal(true);
    expect(await shop.db(items).count({ n: '*' }).first()).to.deep.equal({ n: 5 });
    const [skip] = await app.store.readStream('seams.projection-shop-items');
    expect(skip!.data).to.deep.include({ module: 'shop', projection: 'items', position: poisonPosition, reason: 'bad data, fixed by hand' });
    expect(skip!.position).to.be.above(after);
  });

  it('restore: an old copy of a module database put back converges to the same state as a fresh rebuild', async () => {
    app = await startModules(dir.path);
    const first = await addItems(app.store, 15);
    await app.runtime.context('shop').waitFor(first, 5000);
    await app.runtime.context('mirror').waitFor(first, 5000);
    const file = moduleDatabaseFile(dir.path, 'mirror');
    const backup = join(dir.path, 'mirror-backup.sqlite');
    await app.stop(); // a consistent file to copy (a backup tool would use the online backup API)
    await copyFile(file, backup);
    app = await startModules(dir.path);
    const last = await addItems(app.store, 15);
    await app.runtime.context('mirror').waitFor(last, 5000);
    await app.stop();
    await copyFile(backup, file);
    app = await startModules(dir.path);
    expect(await app.runtime.context('mirror').waitFor(last, 5000)).to.equal(true);
    const restored = await snapshot(app, 'mirror');
    expect(restored['shop_items.shop_items']).to.have.length(30);
    // A fresh rebuild from the log, into new tables, gives the very same rows.
    const runner = app.runtime.runner('mirror', 'shop_items');
    await runner.rebuild();
    await until(async () => !(await runner.status()).building);
    expect(await snapshot(app, 'mirror')).to.deep.equal(restored);
  });

  it('a log restored behind a checkpoint converges by itself: exactly the affected projections are rebuilt from it, and new events at reused positions are applied', async () => {
    app = await startModules(dir.path);
    const early = await addItems(app.store, 3);
    await app.runtime.context('shop').waitFor(early, 5000);
    await app.runtime.context('mirror').waitFor(early, 5000);
    await app.stop();
    await copyFile(join(dir.path, 'events.sqlite'), join(dir.path, 'events-backup.sqlite'));
    app = await startModules(dir.path);
    const generationsBefore = Object.fromEntries(app.runtime.runners().map((r) => [`${r.module}/${r.name}`, r.tables]));
    const later = await addItems(app.store, 3);
    await app.runtime.context('shop').waitFor(later, 5000);
    await app.runtime.context('mirror').waitFor(later, 5000);
    await app.stop();
    await copyFile(join(dir.path, 'events-backup.sqlite'), join(dir.path, 'events.sqlite'));
    app = await startModules(dir.path);
    // New events after the restore take positions the projections had seen before it.
    const again = await addItems(app.store, 2);
    expect(again).to.be.at.most(later);
    for (const module of ['shop', 'mirror']) expect(await app.runtime.context(module).waitFor(again, 10_000), module).to.equal(true);
    // Each affected projection is rebuilt into new tables and swapped in, holding the restored log plus the new events: 3 + 2 items.
    const swapped = () => app!.runtime.runners().every((r) => Object.values(r.tables)[0] !== Object.values(generationsBefore[`${r.module}/${r.name}`]!)[0]);
    await until(async () => swapped() && (await app!.runtime.projectionStatus()).every((s) => !s.building && s.state === 'live' && s.position >= again));
    const shop = app.runtime.context('shop');
    expect(await shop.db(shop.tables('items').items).count({ n: '*' }).first()).to.deep.equal({ n: 5 });
    expect(await shop.db(shop.tables('counts').counts).where({ kind: 'added' }).first()).to.deep.equal({ kind: 'added', n: 5 });
    const mirror = app.runtime.context('mirror');
    expect(await mirror.db(mirror.tables('shop_items').shop_items).count({ n: '*' }).first()).to.deep.equal({ n: 5 });
  });

  it('a rebuild equals the incrementally built state', async () => {
    app = await startModules(dir.path, { projections: { batchSize: 13 } });
    const position = await addItems(app.store, 40);
    expect(await app.runtime.context('shop').waitFor(position, 30_000), 'caught up before the snapshot').to.equal(true);
    const incremental = await snapshot(app, 'shop');
    for (const name of ['items', 'counts']) {
      const runner = app.runtime.runner('shop', name);
      const before = runner.tables;
      await runner.rebuild();
      await until(async () => !(await runner.status()).building);
      expect(runner.tables).to.not.deep.equal(before); // new physical tables, swapped in
    }
    expect(await snapshot(app, 'shop')).to.deep.equal(incremental);
  });

  it('idle runners share their reads of the log’s head: a few a second, not each runner at each poll', async () => {
    app = await startModules(dir.path);
    const shop = app.runtime.context('shop');
    expect(await shop.waitFor(await addItems(app.store, 1), 5000)).to.equal(true);
    const store = app.store;
    const reads = countHeadReads(store);
    await new Promise((r) => setTimeout(r, 1000));
    // Three runners polling every 50 ms (the harness's interval) read it some 60 times a second each on its own.
    expect(reads.count).to.be.within(1, 5);
  });

  it('follow this process’s appends without reading the log’s head each time, and still find another process’s appends', async () => {
    app = await startModules(dir.path);
    const shop = app.runtime.context('shop');
    expect(await shop.waitFor(await addItems(app.store, 1), 5000)).to.equal(true);
    const store = app.store;
    const reads = countHeadReads(store);
    /** Head reads while 20 appends of this process are followed one at a time. */
    const readsFollowing = async () => {
      reads.count = 0;
      for (let i = 0; i < 20; i++) expect(await shop.waitFor(await addItems(store, 1), 5000)).to.equal(true);
      return reads.count;
    };
    const asking = await (async () => {
      const knownHead = store.knownHead;
      (store as { knownHead?: unknown }).knownHead = undefined; // as a store without one (PostgreSQL)
      try {
        return await readsFollowing();
      } finally {
        store.knownHead = knownHead;
      }
    })();
    const knowing = await readsFollowing();
    // Asking, each of the three runners reads the head twice an append (to find it, then to find
    // nothing more); knowing, only when a poll interval passes without an append of its own.
    expect(asking).to.be.at.least(60);
    expect(knowing).to.be.at.most(asking / 4);

    // Another process appends between and after this one's appends: its events are followed too.
    const other = await SqliteEventStore.open({ filename: join(dir.path, 'events.sqlite'), registry: registryOf(fixtureModules) });
    try {
      await addItems(other, 2);
      await addItems(store, 1);
      const last = await addItems(other, 2);
      expect(store.knownHead!()).to.be.below(last);
      expect(await shop.waitFor(last, 5000)).to.equal(true);
      expect(await app.runtime.context('mirror').waitFor(last, 5000)).to.equal(true);
      expect(await shop.db(shop.tables('items').items).count({ n: '*' }).first()).to.deep.equal({ n: 46 });
    } finally {
      await other.close();
    }
  });
});

/** Counts the store's reads of the log's head from now on (`count` may be set back to 0). */
function countHeadReads(store: { headPosition(): Promise<number> }): { count: number } {
  const reads = { count: 0 };
  const readHead = store.headPosition.bind(store);
  store.headPosition = () => {
    reads.count++;
    return readHead();
  };
  return reads;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('projection versions', function () {
  this.timeout(30_000);
  it('a new version is rebuilt into new tables while the old one keeps serving, then swapped in', async () => {
    const dir = await tempDir('seams-version-');
    const { itemsProjection, shop, mirror } = await import('../../support/fixtureModules.js');
    let app = await startModules(dir.path);
    try {
      const position = await addItems(app.store, 10);
      await app.runtime.context('shop').waitFor(position, 5000);
      const v1Tables = app.runtime.context('shop').tables('items');
      await app.stop();

      // Version 2 adds a column. Its handlers are slowed by a gate so we can look mid-rebuild.
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const v2 = defineProjection({
        name: 'items',
        version: 2,
        tables: { items: (t) => { t.string('item_id').primary(); t.string('title'); t.string('shout'); } },
        handlers: [
          on(ItemAdded, async (e, { db, tables }) => {
            await gate;
            await db(tables.items).insert({ item_id: e.data.itemId, title: e.data.title, shout: e.data.title.toUpperCase() });
          }),
          on(ItemRenamed, async (e, { db, tables }) => { await db(tables.items).where({ item_id: e.data.itemId }).update({ title: e.data.title, shout: e.data.title.toUpperCase() }); }),
        ],
      });
      const shopV2 = { ...shop, projections: shop.projections.map((p) => (p === itemsProjection ? v2 : p)) };
      app = await startModules(dir.path, { modules: [shopV2, mirror] });
      const shopCtx = app.runtime.context('shop');
      const status = await app.runtime.runner('shop', 'items').status();
      expect(status.version).to.equal(1); // still serving version 1
      expect(status.building?.version).to.equal(2);
      expect(shopCtx.tables('items')).to.deep.equal(v1Tables);
      // The rebuild holds its batch transaction at the gate; a reader (another connection, as
      // in WAL mode) still reads the serving version 1 in full.
      const reader = openSqlite({ filename: moduleDatabaseFile(dir.path, 'shop') });
      expect(await reader(v1Tables.items!).count({ n: '*' }).first()).to.deep.equal({ n: 10 });
      await reader.destroy();
      open();
      await until(async () => (await app.runtime.runner('shop', 'items').status()).version === 2);
      const v2Tables = shopCtx.tables('items');
      expect(v2Tables).to.not.deep.equal(v1Tables);
      const shouts = await shopCtx.db(v2Tables.items!).pluck('shout');
      expect(shouts).to.have.length(10);
      expect(shouts.every((s: string) => s === s.toUpperCase() && s.endsWith('(RENAMED)'))).to.equal(true);
      // The old generation is retired, its tables kept a while for other processes still reading them (a
      // cluster's followers notice a swap within a second); once retired long enough, the leader drops them.
      const v1 = Number(v1Tables.items!.replace(/^items_g/, ''));
      expect(await shopCtx.db('projections').where({ name: 'items', generation: v1 }).first()).to.include({ state: 'retired' });
      expect(await shopCtx.db.schema.hasTable(v1Tables.items!)).to.equal(true);
      await shopCtx.db('projections').where({ name: 'items', generation: v1 }).update({ updated_at: 0 });
      await until(async () => !(await shopCtx.db.schema.hasTable(v1Tables.items!)));
      expect(await shopCtx.db('projections').where({ name: 'items', generation: v1 }).first()).to.equal(undefined);
    } finally {
      await app.stop();
      await dir.cleanup();
    }
  });
});
