import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { z } from 'zod';
import { command, defineCommand, defineEvent, defineModule, defineProcess, defineProjection, handleCommand, on, react } from '../../../src/kernel/host.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * Physical table names are `<table>_g<generation>`. Two readers of one module may use the same
 * logical table name — every process has `instances`, `outbox` and `timers` — so generation
 * numbers are unique in the module's database: the readers never share (or drop) a table.
 */
const Noted = defineEvent('notes.Noted', 1, z.object({ noteId: z.string() }));
const Echoed = defineEvent('notes.Echoed', 1, z.object({ noteId: z.string(), by: z.string() }));
const Echo = defineCommand('notes.Echo', z.object({ noteId: z.string(), by: z.string() }));

const rows = (name: string) =>
  defineProjection({
    name,
    version: 1,
    tables: { rows: (t) => { t.string('id').primary(); } },
    handlers: [on(Noted, async (e, { db, tables }) => { await db(tables.rows).insert({ id: `${name}:${e.data.noteId}` }); })],
  });

const echoer = (name: string) =>
  defineProcess<{ noteId: string }>({
    name,
    initialState: (noteId) => ({ noteId }),
    sends: [Echo],
    reactions: [react(Noted, { start: (e) => e.data.noteId, decide: (s) => ({ step: 'echoing', send: [command(Echo, { noteId: s.noteId, by: name })], end: 'completed' }) })],
  });

const notes = defineModule({
  name: 'notes',
  privateEvents: [Noted, Echoed],
  streams: ['note'],
  commands: [handleCommand(Echo, async (ctx, data) => { await ctx.events.append(ctx.events.stream('note', data.noteId), [{ type: Echoed.type, data }]); })],
  projections: [rows('first'), rows('second')],
  processes: [echoer('left'), echoer('right')],
});

describe('generations: readers of one module with tables of the same name', function () {
  this.timeout(20_000);

  it('two projections and two processes each get tables of their own, also after a restart', async () => {
    const dir = await tempDir('seams-gen-');
    let app = await startModules(dir.path, { modules: [notes], processes: { pollMs: 10 } });
    try {
      const ctx = () => app.runtime.context('notes');
      const physical = ['first', 'second', 'left', 'right'].flatMap((p) => Object.values(ctx().tables(p)));
      expect(new Set(physical).size, physical.join(', ')).to.equal(physical.length);

      const noteId = randomUUID();
      await ctx().events.append(ctx().events.stream('note', noteId), [{ type: Noted.type, data: { noteId } }]);
      const echoes = async () => (await app.store.readStream(`notes.note-${noteId}`)).filter((e) => e.type === Echoed.type).map((e) => (e.data as { by: string }).by).sort();
      while ((await echoes()).length < 2) await new Promise((r) => setTimeout(r, 10));
      await ctx().catchUp(5000);
      expect(await echoes()).to.deep.equal(['left', 'right']);
      expect(await ctx().db(ctx().tables('first').rows).pluck('id')).to.deep.equal([`first:${noteId}`]);
      expect(await ctx().db(ctx().tables('second').rows).pluck('id')).to.deep.equal([`second:${noteId}`]);

      await app.stop();
      app = await startModules(dir.path, { modules: [notes], processes: { pollMs: 10 } });
      expect(['first', 'second', 'left', 'right'].flatMap((p) => Object.values(ctx().tables(p)))).to.deep.equal(physical);
      expect((await app.runtime.processInstances({ type: 'left' })).map((i) => i.id)).to.deep.equal([noteId]);
      expect((await app.runtime.processInstances({ type: 'right' })).map((i) => i.id)).to.deep.equal([noteId]);
    } finally {
      await app.stop();
      await dir.cleanup();
    }
  });
});
