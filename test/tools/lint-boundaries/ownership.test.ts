import { expect } from 'chai';
import { z } from 'zod';
import { answerQuery, defineCommand, defineEvent, defineModule, defineProjection, defineQuery, on, type ModuleDefinition } from '../../../src/kernel/host.js';
import { formatFinding } from '../../../tools/lint-boundaries/finding.js';
import { lintBoundaries } from '../../../tools/lint-boundaries/lint.js';
import { fixtureTree, lines } from '../../support/fixtureTree.js';

const ItemAdded = defineEvent('shop.ItemAdded', 1, z.object({ itemId: z.string() }));
const StockCounted = defineEvent('shop.StockCounted', 1, z.object({ count: z.number() }));
const Restock = defineCommand('shop.Restock', z.object({ itemId: z.string() }));
const GetItem = defineQuery('shop.GetItem', z.object({ itemId: z.string() }), z.object({ title: z.string() }));
const view = (name: string, ...events: (typeof ItemAdded | typeof StockCounted)[]) =>
  defineProjection({ name, version: 1, tables: { rows: (t) => t.string('id') }, handlers: events.map((e) => on(e, () => undefined)) });
const shop = defineModule({ name: 'shop', publicEvents: [ItemAdded], privateEvents: [StockCounted], streams: ['item'] });

/**
 * The shop's sources as a fixture tree: contracts.ts exports plain contract-shaped values (the
 * lint imports it to see what the module publishes), index.ts names the module.
 */
const shopFiles = {
  'src/modules/shop/contracts.ts': lines(
    '// the public face of shop',
    "export const ItemAdded = { kind: 'event', type: 'shop.ItemAdded', module: 'shop' };",
    "export const Restock = { kind: 'command', type: 'shop.Restock', module: 'shop' };",
  ),
  'src/modules/shop/index.ts': lines("import { defineModule } from '../../kernel/index.js';", '', "export default defineModule({ name: 'shop' });"),
};

async function lint(modules: ModuleDefinition[], files: Record<string, string>): Promise<string[]> {
  const tree = await fixtureTree({ ...shopFiles, ...files });
  try {
    return (await lintBoundaries({ root: tree.root, modules, checks: ['imports', 'ownership', 'storage'] })).map(formatFinding);
  } finally {
    await tree.cleanup();
  }
}

const withRestock = defineModule({ ...shop, commands: [{ command: Restock, handle: async () => undefined }] });

describe('lint:boundaries — ownership rules from the module definitions', function () {
  this.timeout(20_000);

  it('passes modules whose definitions and contracts agree', async () => {
    const mirror = defineModule({ name: 'mirror', projections: [view('copies', ItemAdded)] });
    expect(await lint([withRestock, mirror], { 'src/modules/mirror/index.ts': lines("export default { name: 'mirror' };") })).to.deep.equal([]);
  });

  it("flags a projection consuming another module's private event, at the projection's name", async () => {
    const spy = defineModule({ name: 'spy', projections: [view('stock_copy', StockCounted)] });
    const findings = await lint([withRestock, spy], {
      'src/modules/spy/index.ts': lines("import { defineProjection } from '../../kernel/index.js';", 'export const p = defineProjection({', "  name: 'stock_copy',", '});'),
    });
    expect(findings).to.deep.equal([
      "src/modules/spy/index.ts:3 consume-public-only — projection spy/stock_copy consumes shop.StockCounted, a private event of shop; only public events may cross modules; consume one of the owner's public events, or ask its owner to make this one public",
    ]);
  });

  it('flags consuming an event that does not exist', async () => {
    const ghost = defineEvent('shop.Vanished', 1, z.object({}));
    const lost = defineModule({ name: 'lost', projections: [defineProjection({ name: 'v', version: 1, tables: { t: (t) => t.string('id') }, handlers: [on(ghost, () => undefined)] })] });
    const findings = await lint([withRestock, lost], { 'src/modules/lost/index.ts': lines("export default { name: 'lost' };") });
    expect(findings).to.deep.equal([
      'src/modules/lost/index.ts:1 consume-existing — projection lost/v consumes shop.Vanished, which shop does not publish; consume an event its owner declares (and, across modules, publishes in its contracts.ts)',
    ]);
  });

  it('flags an event claimed by a second module', async () => {
    const copycat = defineModule({ name: 'copycat', publicEvents: [ItemAdded] });
    const findings = await lint([withRestock, copycat], { 'src/modules/copycat/index.ts': lines('// copies', "export default { name: 'copycat' };") });
    expect(findings).to.include(
      'src/modules/copycat/index.ts:2 own-event-types — module copycat declares event shop.ItemAdded, but a module may append only its own event types (copycat.<Name>); shop owns shop.ItemAdded; a module declares only events named <its name>.<Name>; to react to another module\'s event, consume it in a projection',
    );
    expect(findings.some((f) => f.includes('one-owner-per-event — event shop.ItemAdded is claimed by both shop and copycat'))).to.equal(true);
  });

  it('flags answering another module’s query and declaring a stream kind twice', async () => {
    const thief = defineModule({ name: 'thief', streams: ['loot', 'loot'], queries: [answerQuery(GetItem, async () => ({ title: '' }))] });
    const findings = await lint([withRestock, thief], { 'src/modules/thief/index.ts': lines("export default { name: 'thief',", "  streams: ['loot', 'loot'] };") });
    expect(findings).to.deep.equal([
      'src/modules/thief/index.ts:1 own-queries — module thief answers query shop.GetItem, which belongs to shop; ask another module\'s query with ctx.query instead of answering it',
      'src/modules/thief/index.ts:2 one-owner-per-stream — module thief declares stream kind loot twice; declare each stream kind once',
    ]);
  });

  it('flags a command that contracts.ts publishes but no module handles, at its line in contracts.ts', async () => {
    const findings = await lint([shop], {});
    expect(findings).to.deep.equal([
      'src/modules/shop/contracts.ts:3 command-has-owner — contracts.ts of shop publishes command shop.Restock, but shop has no handler for it; handle it in this module (handleCommand) or remove it from contracts.ts',
    ]);
  });

  it('flags public events missing from contracts.ts, private ones exported by it, and foreign contracts re-exported', async () => {
    const findings = await lint([withRestock], {
      'src/modules/shop/contracts.ts': lines(
        "export const Restock = { kind: 'command', type: 'shop.Restock', module: 'shop' };",
        "export const StockCounted = { kind: 'event', type: 'shop.StockCounted', module: 'shop' };",
        "export const Foreign = { kind: 'event', type: 'users.Joined', module: 'users' };",
      ),
    });
    expect(findings).to.deep.equal([
      "src/modules/shop/contracts.ts:2 public-events-listed — contracts.ts of shop exports shop.StockCounted, which shop lists as private; list it in publicEvents, or move it out of contracts.ts if it is private",
      "src/modules/shop/contracts.ts:3 contracts-own-only — contracts.ts of shop exports event users.Joined, which belongs to users; import it from its owner's contracts.ts instead of exporting it from this one",
      'src/modules/shop/index.ts:3 public-events-exported — shop lists shop.ItemAdded as public, but its contracts.ts does not export it; export it from contracts.ts, the only file other modules may import',
    ]);
  });
});
