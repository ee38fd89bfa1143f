import { expect } from 'chai';
import { failureMessage } from '../../../bench/support/failure.js';

describe('a bench’s failure message', () => {
  it('names what fetch kept in its cause, with the error code', () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(failureMessage(new TypeError('fetch failed', { cause: reset }))).to.equal('fetch failed: other side closed [UND_ERR_SOCKET]');
  });

  it('is the message alone without a cause, and takes a cause that is not an Error as it is', () => {
    expect(failureMessage(new Error('writes: no item was created'))).to.equal('writes: no item was created');
    expect(failureMessage(new Error('failed', { cause: 'refused' }))).to.equal('failed: refused');
  });
});
