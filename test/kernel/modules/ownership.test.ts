import { expect } from 'chai';
import { z } from 'zod';
import { OwnershipError, answerQuery, defineEvent, defineModule, defineProjection, findOwnershipViolations, on } from '../../../src/kernel/host.js';
import { GetItem, ItemAdded, StockCounted, fixtureModules, shop } from '../../support/fixtureModules.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

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
