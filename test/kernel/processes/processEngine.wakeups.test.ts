import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { z } from 'zod';
import { command, defineCommand, defineEvent, defineModule, defineProcess, handleCommand, react } from '../../../src/kernel/host.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * The process engine sleeps between polls, but a committed batch wakes it: a step never waits
 * for the poll. A wake-up that arrives while the engine is busy looking through its outboxes
 * (it may already have looked at the one that just got a command) must not be lost: it would
 * cost a whole poll interval per step.
 */
const Passed = defineEvent('relay.Passed', 1, z.object({ runId: z.string(), leg: z.number().int() }));
const Pass = defineCommand('relay.Pass', z.object({ runId: z.string(), leg: z.number().int() }));

/** Runner `leg` takes the baton at leg `leg` and passes it on: a pipeline of processes, like a job's stations. */
const runner = (leg: number) =>
  defineProcess<{ id: string }>({
    name: `runner_${leg}`,
    initialState: (id) => ({ id }),
    sends: [Pass],
    reactions: [
      // One instance per run and leg; only the runner of that leg passes the baton on.
      react(Passed, {
        start: (e) => `${e.data.runId}/${e.data.leg}`,
        decide: (_s, e) => (e.data.leg === leg ? { step: 'passing', send: [command(Pass, { runId: e.data.runId, leg: leg + 1 })], end: 'completed' } : { end: 'completed' }),
      }),
    ],
  });

const relay = defineModule({
  name: 'relay',
  privateEvents: [Passed],
  streams: ['run'],
  commands: [handleCommand(Pass, async (ctx, data) => { await ctx.events.append(ctx.events.stream('run', data.runId), [{ type: Passed.type, data }]); })],
  processes: [runner(0), runner(1), runner(2), runner(3)],
});

describe('process engine wake-ups', function () {
  this.timeout(20_000);

  it('a pipeline of processes never waits for a poll, however long the poll interval, also right after a start', async () => {
    const dir = await tempDir('seams-wake-');
    try {
      for (let i = 0; i < 6; i++) {
        // A poll interval longer than the test's timeout: only wake-ups can move the baton.
        const app = await startModules(dir.path, { modules: [relay], processes: { pollMs: 60_000 } });
        try {
          const runId = randomUUID();
          await app.runtime.context('relay').events.append(`relay.run-${runId}`, [{ type: Passed.type, data: { runId, leg: 0 } }]);
          while ((await app.store.readStream(`relay.run-${runId}`)).length < 5) await new Promise((r) => setTimeout(r, 5));
          expect((await app.store.readStream(`relay.run-${runId}`)).map((e) => (e.data as { leg: number }).leg)).to.deep.equal([0, 1, 2, 3, 4]);
        } finally {
          await app.stop();
        }
      }
    } finally {
      await dir.cleanup();
    }
  });
});
