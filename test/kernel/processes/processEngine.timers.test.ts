import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { z } from 'zod';
import { defineEvent, defineModule, defineProcess, defineProjection, on, react } from '../../../src/kernel/host.js';
import { eventually } from '../../support/http.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * A due timer's decision reads the projections its process waits for, as they are when it fires.
 * One that has not caught up with the log must hold the timer back, not let it decide on what the
 * projection has not seen yet. Chaos seed 1 (PostgreSQL, ten minutes): orders' timer for a refused
 * credit reservation fired while the customers replica lacked the customer's deletion, decided
 * "not deleted", and the order stayed pending for good.
 */
const Watched = defineEvent('watch.Watched', 1, z.object({ id: z.string() }));
const Marked = defineEvent('watch.Marked', 1, z.object({ id: z.string() }));
const view = { lagging: false, attempts: 0 };

const marks = defineProjection({
  name: 'marks',
  version: 1,
  tables: { marks: (t) => t.string('id').primary() },
  handlers: [
    on(Marked, async (e, { db, tables }) => {
      view.attempts++;
      // Behind the log for as long as the test says (as a replica being restored or rebuilt is).
      if (view.lagging) throw new Error('the marks view is behind');
      await db(tables.marks).insert({ id: e.data.id });
    }),
  ],
});

const watch = defineModule({
  name: 'watch',
  privateEvents: [Watched, Marked],
  streams: ['watch'],
  projections: [marks],
  processes: [
    defineProcess<{ id: string }>({
      name: 'watcher',
      initialState: (id) => ({ id }),
      waitsFor: [marks.name],
      sends: [],
      reactions: [react(Watched, { start: (e) => e.data.id, decide: () => ({ step: 'watching', schedule: [{ name: 'look', afterMs: 1000 }] }) })],
      onTimer: {
        read: async (state, _name, tx) => (await tx.db(tx.tables('marks').marks).where({ id: state.id }).first()) !== undefined,
        decide: (_state, _name, marked: boolean) => ({ step: marked ? 'saw the mark' : 'saw no mark', end: 'completed' }),
      },
    }),
  ],
});

describe('process timers and the projections they read', function () {
  this.timeout(20_000);

  it('a due timer waits while a projection it reads is behind the log, then decides on what that projection has seen', async () => {
    const dir = await tempDir('seams-timers-');
    const app = await startModules(dir.path, {
      modules: [watch],
      projections: { maxAttempts: 1_000_000, backoffMs: 5, maxBackoffMs: 20 },
      processes: { pollMs: 10, timerCatchUpMs: 50 },
    });
    try {
      view.lagging = true;
      view.attempts = 0;
      const id = randomUUID();
      const ctx = app.runtime.context('watch');
      await ctx.events.append(ctx.events.stream('watch', id), [{ type: Watched.type, data: { id } }]);
      const watching = Date.now();
      await eventually(async () => (await app.runtime.processInstance('watcher', id))?.step === 'watching');
      // Then the mark, which the view keeps failing on; the timer falls due (1 s) meanwhile.
      await ctx.events.append(ctx.events.stream('watch', `${id}-mark`), [{ type: Marked.type, data: { id } }]);
      await eventually(async () => view.attempts > 5);
      // Longer than one pass's wait for the view used to be (5 s), after which the timer fired anyway.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, watching + 6600 - Date.now())));
      expect((await app.runtime.processInstance('watcher', id))?.step, 'held back while the view is behind').to.equal('watching');
      view.lagging = false;
      const ended = await eventually(async () => {
        const detail = await app.runtime.processInstance('watcher', id);
        return detail?.status === 'completed' ? detail : undefined;
      });
      expect(ended.step).to.equal('saw the mark');
    } finally {
      await app.stop();
      await dir.cleanup();
    }
  });
});
