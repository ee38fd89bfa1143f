import { expect } from 'chai';
import { ValidationError, type ModuleContext } from '../../../src/kernel/host.js';
import { formatPosition, newestPerStore, oneStorePositions, parsePositions, requestedPositions } from '../../../src/kernel/http/positionTokens.js';

describe('position tokens', () => {
  it('one store writes bare integers; a split names the store', () => {
    expect(formatPosition(42)).to.equal('42');
    expect(formatPosition(42, 'main')).to.equal('main:42');
    expect(oneStorePositions.format(7)).to.equal('7');
  });

  it('Min-Position takes one token or a comma-separated list, bare or named', () => {
    expect(parsePositions('17')).to.deep.equal([{ position: 17 }]);
    expect(parsePositions('main:17')).to.deep.equal([{ store: 'main', position: 17 }]);
    expect(parsePositions(' main:17 , catalog:3,9 ')).to.deep.equal([{ store: 'main', position: 17 }, { store: 'catalog', position: 3 }, { position: 9 }]);
    expect(parsePositions('catalog+communications:0')).to.deep.equal([{ store: 'catalog+communications', position: 0 }]);
  });

  for (const bad of ['abc', '-1', '1.5', '', 'main:', ':5', 'Main:5', 'a:b:5', '5,,6', 'main:5,', 'main.x:5', '12345678901234567', Array(33).fill('1').join(',')]) {
    it(`refuses ${JSON.stringify(bad.length > 40 ? `${bad.slice(0, 20)}…` : bad)} with a ValidationError naming the header`, () => {
      let error: unknown;
      try {
        parsePositions(bad);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).errors).to.deep.equal([{ path: 'Min-Position', message: (error as ValidationError).message.replace('header Min-Position ', '') }]);
    });
  }

  it('a request asks for the client’s tokens and, apart, those a gateway saw; neither: nothing to wait for', () => {
    expect(requestedPositions({})).to.equal(undefined);
    expect(requestedPositions({ 'min-position': 'main:4', 'seams-seen-positions': 'catalog:2,main:9' })).to.deep.equal({
      client: [{ store: 'main', position: 4 }],
      seen: [{ store: 'catalog', position: 2 }, { store: 'main', position: 9 }],
    });
    expect(newestPerStore([{ store: 'a', position: 3 }, { position: 5 }, { store: 'a', position: 9 }, { store: 'a', position: 1 }])).to.deep.equal(new Map([['a', 9], ['', 5]]));
  });

  it('in one store a module waits for the highest bare integer and passes over tokens naming a store', async () => {
    const asked: number[] = [];
    const ctx = { waitFor: async (position: number) => (asked.push(position), true) } as unknown as ModuleContext;
    expect(await oneStorePositions.reached(ctx, { client: [{ position: 3 }, { store: 'main', position: 99 }, { position: 8 }], seen: [{ store: 'x', position: 100 }] }, 10)).to.equal(true);
    expect(await oneStorePositions.reached(ctx, { client: [{ store: 'main', position: 99 }], seen: [] }, 10)).to.equal(true);
    expect(asked).to.deep.equal([8]);
  });
});
