import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { z } from 'zod';
import { command, defineCommand, defineEvent, defineModule, defineProcess, handleCommand, react } from '../../../src/kernel/host.js';
import { eventually } from '../../support/http.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * A command whose delivery fails because the database went away (PostgreSQL restarting) is no
 * verdict on the command: it waits for the database without using up its attempts, and is never
 * failed for good (which would have made the process compensate, or give up, for an outage).
 */
const Opened = defineEvent('till.Opened', 1, z.object({ id: z.string() }));
const Counted = defineEvent('till.Counted', 1, z.object({ id: z.string() }));
const Count = defineCommand('till.Count', z.object({ id: z.string() }));
const outage = { callsLeft: 0, calls: 0, error: () => new Error('none') };

const till = defineModule({
  name: 'till',
  privateEvents: [Opened, Counted],
  streams: ['till'],
  processes: [
    defineProcess<{ id: string }>({
      name: 'till_keeper',
      initialState: (id) => ({ id }),
      sends: [Count],
      reactions: [
        react(Opened, { start: (e) => e.data.id, decide: (s) => ({ step: 'counting', send: [command(Count, { id: s.id })] }) }),
        react(Counted, { id: (e) => e.data.id, decide: () => ({ step: 'counted', end: 'completed' }) }),
      ],
      onCommandFailed: (_s, failure) => ({ step: `gave up: ${failure.error}`, end: 'failed' }),
    }),
  ],
  commands: [
    handleCommand(Count, async (ctx, data) => {
      outage.calls++;
      if (outage.callsLeft-- > 0) throw outage.error();
      await ctx.events.append(ctx.events.stream('till', data.id), [{ type: Counted.type, data }]);
    }),
  ],
});

const outages = {
  unreachable: () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
  // Another process held the write lock past busy_timeout (chaos seed 1, SQLite).
  busy: () => Object.assign(new Error('SQLITE_BUSY: database is locked'), { code: 'SQLITE_BUSY', errno: 5 }),
};

describe('process outbox while the database is unreachable or busy', function () {
  this.timeout(20_000);

  for (const [kind, error] of Object.entries(outages)) {
    it(`${kind}: waits for the database without using up the attempts: the command goes through once it is back`, async () => {
      const dir = await tempDir('seams-unreachable-');
      const app = await startModules(dir.path, { modules: [till], processes: { pollMs: 10, backoffMs: 5, maxBackoffMs: 20, maxAttempts: 2 } });
      try {
        outage.callsLeft = 6;
        outage.calls = 0;
        outage.error = error;
        const id = randomUUID();
        const ctx = app.runtime.context('till');
        await ctx.events.append(ctx.events.stream('till', id), [{ type: Opened.type, data: { id } }]);
        const ended = await eventually(async () => {
          const detail = await app.runtime.processInstance('till_keeper', id);
          return detail && detail.status !== 'running' ? detail : undefined;
        });
        expect([ended.status, ended.step]).to.deep.equal(['completed', 'counted']);
        expect(outage.calls, 'six refusals, then the call that went through').to.equal(7);
      } finally {
        await app.stop();
        await dir.cleanup();
      }
    });
  }
});
