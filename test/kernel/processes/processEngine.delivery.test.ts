import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { z } from 'zod';
import { WrongExpectedRevisionError, command, type RetryPolicy, defineCommand, defineEvent, defineModule, defineProcess, handleCommand, react } from '../../../src/kernel/host.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * How the outbox delivers: one command after the other by default; with `concurrency`, commands
 * of different instances at once — never two of one instance, which stay in order. A stale
 * expected revision (someone else appended first) is retried, not taken as a refusal.
 */
const Started = defineEvent('work.Started', 1, z.object({ id: z.string() }));
const Stepped = defineEvent('work.Stepped', 1, z.object({ id: z.string(), n: z.number().int() }));
const Step = defineCommand('work.Step', z.object({ id: z.string(), n: z.number().int() }));

const probe = { inFlight: 0, most: 0, conflictsLeft: 0, failuresLeft: 0, calls: 0, order: new Map<string, number[]>(), attempts: new Map<number, number>() };

const worker = (concurrency?: number, retry?: RetryPolicy) =>
  defineProcess<{ id: string }>({
    name: 'worker',
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(retry ? { retry } : {}),
    initialState: (id) => ({ id }),
    sends: [Step],
    // Three commands per instance, in one go: they must arrive in order, one at a time.
    reactions: [react(Started, { start: (e) => e.data.id, decide: (s) => ({ send: [1, 2, 3].map((n) => command(Step, { id: s.id, n })) }) })],
    onCommandFailed: (_s, failure) => ({ step: `refused: ${failure.error}`, end: 'failed' }),
  });

const work = (concurrency?: number, retry?: RetryPolicy) =>
  defineModule({
    name: 'work',
    privateEvents: [Started, Stepped],
    streams: ['job'],
    processes: [worker(concurrency, retry)],
    commands: [
      handleCommand(Step, async (ctx, data) => {
        probe.calls++;
        probe.inFlight++;
        probe.most = Math.max(probe.most, probe.inFlight);
        try {
          await new Promise((r) => setTimeout(r, 5));
          if (probe.failuresLeft > 0) {
            probe.failuresLeft--;
            probe.attempts.set(data.n, (probe.attempts.get(data.n) ?? 0) + 1);
            throw new Error('the end system is down');
          }
          if (probe.conflictsLeft > 0) {
            probe.conflictsLeft--;
            throw new WrongExpectedRevisionError(`work.job-${data.id}`, '0', '1');
          }
          probe.order.set(data.id, [...(probe.order.get(data.id) ?? []), data.n]);
          await ctx.events.append(ctx.events.stream('job', data.id), [{ type: Stepped.type, data }]);
        } finally {
          probe.inFlight--;
        }
      }),
    ],
  });

describe('process outbox delivery', function () {
  this.timeout(20_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir('seams-delivery-');
    Object.assign(probe, { inFlight: 0, most: 0, conflictsLeft: 0, failuresLeft: 0, calls: 0, order: new Map(), attempts: new Map() });
  });
  afterEach(async () => dir.cleanup());

  async function run(concurrency: number | undefined, instances: number) {
    const app = await startModules(dir.path, { modules: [work(concurrency)], processes: { pollMs: 10, backoffMs: 5, maxBackoffMs: 20, maxAttempts: 4 } });
    try {
      const ids = Array.from({ length: instances }, () => randomUUID());
      const ctx = app.runtime.context('work');
      for (const id of ids) await ctx.events.append(ctx.events.stream('job', id), [{ type: Started.type, data: { id } }]);
      while ((await app.store.readAll({ filter: { eventTypes: [Stepped.type] } })).length < 3 * instances) await new Promise((r) => setTimeout(r, 10));
      return { ids, instances: await app.runtime.processInstances({ type: 'worker' }) };
    } finally {
      await app.stop();
    }
  }

  it('one command at a time by default', async () => {
    const { ids } = await run(undefined, 6);
    expect(probe.most).to.equal(1);
    for (const id of ids) expect(probe.order.get(id)).to.deep.equal([1, 2, 3]);
  });

  it('with concurrency, several instances at once, each instance’s commands still in order', async () => {
    const { ids } = await run(8, 12);
    expect(probe.most).to.be.greaterThan(1).and.at.most(8);
    for (const id of ids) expect(probe.order.get(id)).to.deep.equal([1, 2, 3]);
  });

  it('a stale expected revision is retried, not a refusal', async () => {
    probe.conflictsLeft = 2;
    const { ids, instances } = await run(undefined, 1);
    expect(probe.order.get(ids[0]!)).to.deep.equal([1, 2, 3]);
    expect(probe.calls).to.equal(5);
    expect(instances[0]!.status).to.equal('running');
  });

  describe('retries: the engine’s options (4 deliveries here), unless the process sets its own', () => {
    async function failing(retry: RetryPolicy | undefined) {
      probe.failuresLeft = 100;
      const app = await startModules(dir.path, { modules: [work(undefined, retry)], processes: { pollMs: 10, backoffMs: 5, maxBackoffMs: 20, maxAttempts: 4 } });
      try {
        const ctx = app.runtime.context('work');
        const id = randomUUID();
        await ctx.events.append(ctx.events.stream('job', id), [{ type: Started.type, data: { id } }]);
        for (;;) {
          const instance = await app.runtime.processInstance('worker', id);
          if (instance?.status === 'failed') return instance;
          await new Promise((r) => setTimeout(r, 10));
        }
      } finally {
        await app.stop();
      }
    }

    it('without its own policy: given up after the engine’s 4 deliveries, then the process hears of it', async () => {
      const instance = await failing(undefined);
      expect(probe.attempts.get(1)).to.equal(4);
      expect(instance.step).to.include('the end system is down');
    });

    it('with retry { maxAttempts: 2 }: given up after 2', async () => {
      await failing({ maxAttempts: 2, backoffMs: 1 });
      expect(probe.attempts.get(1)).to.equal(2);
    });

    it('refuses a policy that is not whole numbers', () => {
      expect(() => worker(undefined, { maxAttempts: 0 })).to.throw(TypeError, /retry.maxAttempts/);
      expect(() => worker(undefined, { backoffMs: 1.5 })).to.throw(TypeError, /retry.backoffMs/);
    });
  });
});
