import { expect } from 'chai';
import { chunks } from '../../../src/kernel/sqlite/statementChunks.js';

describe('rows a statement at a time (chunks)', () => {
  it('yields every row once, in order, at most `size` a chunk; nothing for no rows', () => {
    expect([...chunks([1, 2, 3, 4, 5], 2)]).to.deep.equal([[1, 2], [3, 4], [5]]);
    expect([...chunks([1, 2], 2)]).to.deep.equal([[1, 2]]);
    expect([...chunks([], 3)]).to.deep.equal([]);
  });
});
