import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { z } from 'zod';
import { UnprocessableError, command, defineCommand, defineEvent, defineModule, defineProcess, handleCommand, react } from '../../../src/kernel/host.js';
import { eventually } from '../../support/http.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * When recording a command's failure fails too (here the process's own decision throws), the
 * outbox row backs off like any other retry: it used to stay due, and the command went out again
 * at every poll.
 */
const Opened = defineEvent('desk.Opened', 1, z.object({ id: z.string() }));
const Refuse = defineCommand('desk.Refuse', z.object({ id: z.string() }));
const probe = { calls: 0, decisionBroken: true };

const desk = defineModule({
  name: 'desk',
  privateEvents: [Opened],
  streams: ['desk'],
  processes: [
    defineProcess<{ id: string }>({
      name: 'desk_keeper',
      initialState: (id) => ({ id }),
      sends: [Refuse],
      reactions: [react(Opened, { start: (e) => e.data.id, decide: (s) => ({ step: 'asking', send: [command(Refuse, { id: s.id })] }) })],
      onCommandFailed: (_s, failure) => {
        if (probe.decisionBroken) throw new Error('the decision is broken');
        return { step: `refused: ${failure.error}`, end: 'failed' };
      },
    }),
  ],
  commands: [
    handleCommand(Refuse, async () => {
      probe.calls++;
      throw new UnprocessableError('no, never');
    }),
  ],
});

describe('process outbox: failure bookkeeping that fails', function () {
  this.timeout(20_000);

  it('backs the row off (attempts counted, next try later, the error kept) instead of sending it again at once', async () => {
    const dir = await tempDir('seams-bookkeeping-');
    const app = await startModules(dir.path, { modules: [desk], processes: { pollMs: 10, backoffMs: 60_000, maxBackoffMs: 60_000 } });
    try {
      const id = randomUUID();
      const ctx = app.runtime.context('desk');
      await ctx.events.append(ctx.events.stream('desk', id), [{ type: Opened.type, data: { id } }]);
      const backedOff = await eventually(async () => {
        const detail = await app.runtime.processInstance('desk_keeper', id);
        return detail?.commands[0]?.lastError ? detail : undefined;
      });
      expect(backedOff.status).to.equal('running');
      expect(backedOff.commands.map((c) => [c.status, c.attempts])).to.deep.equal([['pending', 1]]);
      expect(backedOff.commands[0]!.lastError).to.contain('no, never').and.contain('the decision is broken');
      expect(backedOff.nextWakeAt, 'a retry a minute away').to.be.a('string');
      // Many polls later (the engine's poll is 10 ms; a catch-up round trip is more), still the one call.
      await ctx.catchUp(2000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(probe.calls).to.equal(1);
    } finally {
      await app.stop();
      await dir.cleanup();
    }
  });
});
