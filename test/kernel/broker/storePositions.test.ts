import { expect } from 'chai';
import type { EventStore, ModuleContext } from '../../../src/kernel/host.js';
import { StorePositions } from '../../../src/kernel/broker/storePositions.js';

/** A module that records what it was asked to wait for, and an inbox that has taken in `progress` and hears `heard`. */
function fixture(progress: Record<string, number>, heard: string[] = Object.keys(progress)) {
  const waits: number[] = [];
  const ctx = { waitFor: async (position: number) => (waits.push(position), true) } as unknown as ModuleContext;
  const inbox = {
    knows: (source: string) => source in progress,
    hears: (source: string) => heard.includes(source),
    reached: async (source: string, position: number) => (progress[source] ?? -1) >= position,
  };
  const store = { headPosition: async () => 500 } as unknown as EventStore;
  return { waits, ctx, positions: new StorePositions('catalog', store, inbox) };
}

describe('positions over stores of their own (Min-Position across the split)', () => {
  it('writes name the store', () => {
    expect(fixture({}).positions.format(42)).to.equal('catalog:42');
  });

  it('its own store’s token (or a bare integer): the module waits for its projections to reach the highest', async () => {
    const { waits, ctx, positions } = fixture({});
    expect(await positions.reached(ctx, { client: [{ store: 'catalog', position: 7 }, { position: 9 }], seen: [] }, 100)).to.equal(true);
    expect(waits).to.deep.equal([9]);
  });

  it("another store's token it receives from: until its inbox has taken in that far, then its projections reach what that brought", async () => {
    const { waits, ctx, positions } = fixture({ main: 40 });
    expect(await positions.reached(ctx, { client: [{ store: 'main', position: 40 }, { store: 'catalog', position: 3 }], seen: [] }, 100)).to.equal(true);
    expect(waits).to.deep.equal([500]);
    expect(await positions.reached(ctx, { client: [{ store: 'main', position: 41 }], seen: [] }, 100)).to.equal(false);
  });

  it('a store nothing comes here from cannot be resolved: passed over', async () => {
    const { waits, ctx, positions } = fixture({ main: 40 });
    expect(await positions.reached(ctx, { client: [{ store: 'elsewhere', position: 1_000 }], seen: [] }, 100)).to.equal(true);
    expect(waits).to.deep.equal([]);
  });

  it('what a gateway saw is waited for while its store is heard from, never a refusal; its own store’s is not waited for', async () => {
    const { waits, ctx, positions } = fixture({ main: 40, silent: 1 }, ['main']);
    const seen = [{ store: 'main', position: 99 }, { store: 'silent', position: 5 }, { store: 'catalog', position: 77 }];
    expect(await positions.reached(ctx, { client: [], seen }, 100)).to.equal(true);
    expect(waits).to.deep.equal([]);
    expect(await positions.reached(ctx, { client: [], seen: [{ store: 'main', position: 40 }] }, 100)).to.equal(true);
    expect(waits).to.deep.equal([500]);
  });
});
