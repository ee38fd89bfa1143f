import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { z } from 'zod';
import { command, defineCommand, defineEvent, defineModule, defineProcess, handleCommand, react } from '../../../src/kernel/host.js';
import { sqliteTripsDuring } from '../../support/sqliteTrips.js';
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

/** A timer that sends a command when it rings; the command fails as often as the test says, then records the ring. */
const Set = defineEvent('clock.Set', 1, z.object({ id: z.string() }));
const Rang = defineEvent('clock.Rang', 1, z.object({ id: z.string() }));
const Ring = defineCommand('clock.Ring', z.object({ id: z.string() }));
const clock = { failuresLeft: 0, attempts: [] as number[] };
const alarmClock = defineModule({
  name: 'clock',
  privateEvents: [Set, Rang],
  streams: ['alarm'],
  commands: [
    handleCommand(Ring, async (ctx, data) => {
      clock.attempts.push(Date.now());
      if (clock.failuresLeft-- > 0) throw new Error('the bell is stuck');
      await ctx.events.append(ctx.events.stream('alarm', data.id), [{ type: Rang.type, data }]);
    }),
  ],
  processes: [
    defineProcess<{ id: string }>({
      name: 'alarm_clock',
      initialState: (id) => ({ id }),
      sends: [Ring],
      reactions: [react(Set, { start: (e) => e.data.id, decide: () => ({ step: 'set', schedule: [{ name: 'ring', afterMs: 400 }] }) })],
      onTimer: { decide: (state) => ({ step: 'ringing', send: [command(Ring, { id: state.id })] }) },
    }),
  ],
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

  it('an idle loop sleeps until a timer falls due or a put-off retry is due again, or the poll interval', async function () {
    if (process.env.SEAMS_TEST_SPLIT) this.skip();
    const dir = await tempDir('seams-wake-');
    try {
      // Long enough that only a known due time can wake the loop within the test.
      const app = await startModules(dir.path, { modules: [alarmClock], processes: { pollMs: 60_000, backoffMs: 300, maxBackoffMs: 300 } });
      try {
        const ctx = app.runtime.context('clock');
        const id = randomUUID();
        clock.failuresLeft = 1;
        const started = Date.now();
        await ctx.events.append(ctx.events.stream('alarm', id), [{ type: Set.type, data: { id } }]);
        while (!(await app.store.readStream(`clock.alarm-${id}`)).some((e) => e.type === Rang.type)) {
          expect(Date.now() - started, 'the timer and the retried command, well before the poll').to.be.below(5000);
          await new Promise((r) => setTimeout(r, 20));
        }
        // The timer (400 ms) by itself; the command it sent failed once and went again after its 300 ms backoff.
        const [first, retried] = clock.attempts.map((at) => at - started);
        expect(clock.attempts).to.have.length(2);
        expect(first).to.be.within(400, 1500);
        expect(retried! - first!).to.be.within(300, 1500);
      } finally {
        await app.stop();
      }
      // Idle, at the default poll interval (1 s): a pass or two in two seconds, not one every 100 ms.
      const idle = await startModules(dir.path, { modules: [alarmClock] });
      try {
        await new Promise((r) => setTimeout(r, 300));
        const { statementTexts } = await sqliteTripsDuring(() => new Promise((r) => setTimeout(r, 2000)));
        const looks = statementTexts.filter((sql) => /from [`"]?(outbox|timers)_/i.test(sql)).length;
        expect(looks, 'looks for due commands and timers').to.be.within(2, 6);
      } finally {
        await idle.stop();
      }
    } finally {
      await dir.cleanup();
    }
  });
});
