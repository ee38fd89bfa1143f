import { expect } from 'chai';
import { z } from 'zod';
import { defineCommand, defineEvent, defineModule, handleCommand, type ModuleDefinition } from '../../../src/kernel/host.js';
import { compareContracts, wireContracts } from '../../../src/kernel/modules/wireContracts.js';
import { fixtureModules, ItemAdded, mirror, shop } from '../../support/fixtureModules.js';

/** shop with ItemAdded replaced (as if its contract changed), and mirror consuming the new one. */
function withItemAdded(next: typeof ItemAdded | ReturnType<typeof defineEvent>): ModuleDefinition[] {
  const swap = <T extends { type: string }>(list: readonly T[]) => list.map((c) => (c.type === next.type ? (next as unknown as T) : c));
  const projections = (m: ModuleDefinition) => m.projections.map((p) => ({ ...p, consumes: swap(p.consumes) }));
  return [{ ...shop, publicEvents: swap(shop.publicEvents), projections: projections(shop) }, { ...mirror, projections: projections(mirror) }];
}

describe('wire contracts: a snapshot of every public event, command and query, compared', () => {
  const snapshot = wireContracts(fixtureModules);

  it('holds JSON Schemas, versions and who uses each', () => {
    expect(Object.keys(snapshot)).to.deep.equal(['shop.GetItem', 'shop.ItemAdded', 'shop.ItemRenamed']);
    expect(snapshot['shop.ItemAdded']).to.deep.include({ kind: 'event', module: 'shop', version: 1, usedBy: ['mirror'] });
    expect(snapshot['shop.ItemAdded']!.schema).to.deep.include({ type: 'object', required: ['itemId', 'title', 'priceCents'] });
    expect(snapshot['shop.GetItem']).to.deep.include({ kind: 'query', usedBy: ['mirror'] });
  });

  it('unchanged contracts pass; a new optional field passes and asks for an update', () => {
    expect(compareContracts(snapshot, fixtureModules)).to.deep.equal({ breaking: [], changed: [] });
    const widened = defineEvent('shop.ItemAdded', 1, ItemAdded.schema.extend({ colour: z.string().optional() }));
    expect(compareContracts(snapshot, withItemAdded(widened))).to.deep.equal({ breaking: [], changed: ['shop.ItemAdded: changed without breaking anything'] });
  });

  it('a removed field fails and names the consumers affected, unless the version is raised with an upcaster', () => {
    const narrowed = defineEvent('shop.ItemAdded', 1, z.object({ itemId: z.string(), title: z.string() }));
    expect(compareContracts(snapshot, withItemAdded(narrowed)).breaking).to.deep.equal([
      { type: 'shop.ItemAdded', problem: 'removed field priceCents', usedBy: ['mirror'], advice: 'raise its version to 2 and register an upcaster from version 1' },
    ]);
    const v2 = defineEvent('shop.ItemAdded', 2, z.object({ itemId: z.string(), title: z.string() }), { upcasters: { 1: ({ itemId, title }: { itemId: string; title: string }) => ({ itemId, title }) } });
    expect(compareContracts(snapshot, withItemAdded(v2))).to.deep.equal({
      breaking: [],
      changed: ['shop.ItemAdded: version 1 → 2 (removed field priceCents), with an upcaster from version 1'],
    });
  });

  it('a command other modules send breaks with a new required field; a removed event others consume breaks', () => {
    const Ship = defineCommand('depot.Ship', z.object({ itemId: z.string() }));
    const depot = (schema: z.ZodObject) => defineModule({ name: 'depot', commands: [handleCommand({ ...Ship, schema }, async () => undefined)] });
    const sender = defineModule({ name: 'sender', sends: [Ship] });
    const before = wireContracts([depot(Ship.schema), sender]);
    expect(Object.keys(before)).to.deep.equal(['depot.Ship']);
    const { breaking } = compareContracts(before, [depot(Ship.schema.extend({ count: z.number() })), sender]);
    expect(breaking).to.deep.equal([{ type: 'depot.Ship', problem: 'new required field count', usedBy: ['sender'], advice: 'add a new command beside it and move sender over' }]);
    const gone = compareContracts(snapshot, [{ ...shop, publicEvents: shop.publicEvents.filter((e) => e.type !== 'shop.ItemRenamed') }, mirror]);
    expect(gone.breaking.map((b) => [b.type, b.problem, b.usedBy])).to.deep.equal([['shop.ItemRenamed', 'event removed', ['mirror']]]);
  });
});
