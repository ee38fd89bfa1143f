import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { z } from 'zod';
import {
  OwnershipError,
  QueryGateway,
  UnavailableError,
  ValidationError,
  answerQuery,
  defineEvent,
  defineModule,
  defineProjection,
  findCaughtUp,
  defineQuery,
  findOwnershipViolations,
  on,
  type ModuleContext,
  type QueryContract,
} from '../../src/kernel/index.js';
import { GetItem, ItemAdded, StockCounted, fixtureModules, shop } from '../support/fixtureModules.js';
import { startModules } from '../support/runtimeHarness.js';
import { tempDir } from '../support/tempDir.js';

const BothE = defineEvent('both.E', 1, z.object({}));
const consumer = (name: string, ...events: ReturnType<typeof defineEvent>[]) =>
  defineModule({
    name,
    projections: [defineProjection({ name: 'p', version: 1, tables: { t: (t) => t.string('id') }, handlers: events.map((e) => on(e, () => undefined)) })],
  });

describe('rules of ownership at start-up', () => {
  it('the fixture application is clean', () => {
    expect(findOwnershipViolations(fixtureModules)).to.deep.equal([]);
  });

  const cases: [string, () => ReturnType<typeof defineModule>[], string, RegExp][] = [
    ['two modules claiming one event type', () => [shop, defineModule({ name: 'shop2', publicEvents: [ItemAdded] })], 'own-event-types', /module shop2 declares event shop.ItemAdded/],
    ['consuming another module’s private event', () => [shop, consumer('spy', StockCounted)], 'consume-public-only', /projection spy\/p consumes shop.StockCounted, a private event of shop/],
    ['consuming an event of a module that does not exist', () => [consumer('lost', defineEvent('ghost.Boo', 1, z.object({})))], 'consume-existing', /there is no module ghost/],
    ['consuming an event its owner does not publish', () => [shop, consumer('odd', defineEvent('shop.Never', 1, z.object({})))], 'consume-existing', /shop does not publish/],
    ['answering another module’s query', () => [shop, defineModule({ name: 'thief', queries: [answerQuery(GetItem, async () => null)] })], 'own-queries', /module thief answers query shop.GetItem, which belongs to shop/],
    ['one event both public and private', () => [defineModule({ name: 'both', publicEvents: [BothE], privateEvents: [BothE] })], 'event-visibility', /event both.E is listed as both public and private/],
  ];
  for (const [label, modules, rule, message] of cases) {
    it(`${label} stops start-up, naming module, event and rule`, async () => {
      const violations = findOwnershipViolations(modules());
      expect(violations.map((v) => v.rule)).to.include(rule);
      const dir = await tempDir();
      try {
        await startModules(dir.path, { modules: modules() });
        expect.fail('start-up should have stopped');
      } catch (error) {
        expect(error).to.be.instanceOf(OwnershipError);
        expect((error as Error).message).to.match(message);
        expect((error as Error).message).to.contain(`[${rule}]`);
      } finally {
        await dir.cleanup();
      }
    });
  }
});

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

describe('query gateway', () => {
  const Slow = defineQuery('slow.Ask', z.object({}), z.object({ ok: z.boolean() }));

  it('answers UnavailableError on a timeout, then at once while the breaker is open', async () => {
    let calls = 0;
    const gateway = new QueryGateway(() => async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 200));
      return { ok: true };
    }, { timeoutMs: 20, resetTimeoutMs: 60_000 });
    for (let i = 0; i < 3; i++) await expectUnavailable(gateway, Slow, /did not answer in time/);
    expect(gateway.isOpen('slow')).to.equal(true);
    const before = calls;
    await expectUnavailable(gateway, Slow, /circuit breaker is open/);
    expect(calls).to.equal(before); // the owner was not even called
    gateway.shutdown();
  });

  it('does not count the caller’s own mistakes against the owner', async () => {
    const gateway = new QueryGateway(() => async () => {
      throw new ValidationError('bad question');
    }, { timeoutMs: 100 });
    for (let i = 0; i < 5; i++) {
      try {
        await gateway.ask(Slow, {});
      } catch (error) {
        expect(error).to.be.instanceOf(ValidationError);
      }
    }
    expect(gateway.isOpen('slow')).to.equal(false);
    gateway.shutdown();
  });

  it('a module that runs nowhere is unavailable', async () => {
    const gateway = new QueryGateway(() => undefined);
    await expectUnavailable(gateway, Slow, /does not run in this process/);
    gateway.shutdown();
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

async function expectUnavailable(gateway: QueryGateway, query: QueryContract, message: RegExp) {
  try {
    await gateway.ask(query, {});
    expect.fail('should be unavailable');
  } catch (error) {
    expect(error).to.be.instanceOf(UnavailableError);
    expect((error as Error).message).to.match(message);
  }
}


describe('findCaughtUp', () => {
  /** A context whose projection catches up (or times out) on request, counting the waits. */
  const contextWith = (caughtUp: boolean) => {
    const waits: [number, string | undefined][] = [];
    const ctx = { catchUp: async (timeoutMs: number, projection?: string) => (waits.push([timeoutMs, projection]), caughtUp) } as unknown as ModuleContext;
    return { ctx, waits };
  };

  it('a hit is returned at once, without waiting', async () => {
    const { ctx, waits } = contextWith(true);
    expect(await findCaughtUp(ctx, 'items', async () => ({ id: 1 }))).to.deep.equal({ id: 1 });
    expect(waits).to.deep.equal([]);
  });

  it('a miss waits once for that projection, then reads again', async () => {
    const { ctx, waits } = contextWith(true);
    const answers = [undefined, { id: 2 }];
    expect(await findCaughtUp(ctx, 'items', async () => answers.shift())).to.deep.equal({ id: 2 });
    expect(waits).to.deep.equal([[1000, 'items']]);
  });

  it('a miss whose projection cannot catch up in time is the miss as read (null stays null)', async () => {
    const { ctx } = contextWith(false);
    let reads = 0;
    expect(await findCaughtUp(ctx, 'profiles', async () => (reads++, null))).to.equal(null);
    expect(reads).to.equal(1);
  });
});
