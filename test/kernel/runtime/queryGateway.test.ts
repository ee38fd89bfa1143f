import { expect } from 'chai';
import { z } from 'zod';
import { QueryGateway, UnavailableError, ValidationError, defineQuery, type QueryContract } from '../../../src/kernel/host.js';

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

async function expectUnavailable(gateway: QueryGateway, query: QueryContract, message: RegExp) {
  try {
    await gateway.ask(query, {});
    expect.fail('should be unavailable');
  } catch (error) {
    expect(error).to.be.instanceOf(UnavailableError);
    expect((error as Error).message).to.match(message);
  }
}
