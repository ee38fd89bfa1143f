import { expect } from 'chai';
import { findCaughtUp, on, type ModuleContext } from '../../../src/kernel/host.js';

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
