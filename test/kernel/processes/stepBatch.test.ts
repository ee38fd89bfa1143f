import { expect } from 'chai';
import type { Knex } from 'knex';
import { z } from 'zod';
import { command, defineCommand, defineEvent, defineProcess, react, type RecordedEvent } from '../../../src/kernel/host.js';
import { advance, stepsIn, type ProcessEnv } from '../../../src/kernel/processes/advance.js';
import { RUNNING } from '../../../src/kernel/processes/instance.js';
import { processProjection } from '../../../src/kernel/processes/processProjection.js';
import { processTables, type ProcessTables } from '../../../src/kernel/processes/processTables.js';
import { openSqlite } from '../../../src/kernel/sqlite/connection.js';
import { sqliteTripsDuring } from '../../support/sqliteTrips.js';
import { tempDir } from '../../support/tempDir.js';

const Ping = defineCommand('desk.Ping', z.object({ id: z.string(), n: z.number() }));
const Opened = defineEvent('desk.Opened', 1, z.object({ id: z.string(), key: z.string(), at: z.number() }));
const Moved = defineEvent('desk.Moved', 1, z.object({ id: z.string(), at: z.number() }));
const Closed = defineEvent('desk.Closed', 1, z.object({ id: z.string() }));
const Nudged = defineEvent('desk.Nudged', 1, z.object({ key: z.string() }));

/** Every kind of step a batch must write as the steps one by one would: starts, commands, timers set, moved, cancelled and cleared, correlation. */
const desk = defineProcess<{ id: string; n: number }>({
  name: 'desk',
  initialState: (id) => ({ id, n: 0 }),
  correlationKey: (s) => `key-${s.id.slice(0, 1)}`,
  sends: [Ping],
  reactions: [
    react(Opened, {
      start: (e) => e.data.id,
      decide: (s, e) => ({ state: { ...s, n: 1 }, step: 'opened', send: [command(Ping, { id: s.id, n: 1 })], schedule: [{ name: 'remind', at: new Date(e.data.at) }, { name: 'expire', at: new Date(e.data.at + 5) }] }),
    }),
    react(Moved, {
      id: (e) => e.data.id,
      decide: (s, e) => ({ state: { ...s, n: s.n + 1 }, step: `moved ${s.n + 1}`, send: [command(Ping, { id: s.id, n: s.n + 1 })], cancel: ['remind'], schedule: [{ name: 'expire', at: new Date(e.data.at) }] }),
    }),
    react(Nudged, { correlate: (e) => e.data.key, decide: (s) => ({ state: { ...s, n: s.n + 10 }, step: 'nudged', schedule: [{ name: 'remind', at: new Date(1_000) }] }) }),
    react(Closed, { id: (e) => e.data.id, decide: () => ({ step: 'closed', end: 'completed' }) }),
  ],
});

function log(): RecordedEvent[] {
  const events: [string, unknown][] = [
    [Opened.type, { id: 'a1', key: 'key-a', at: 100 }],
    [Opened.type, { id: 'b1', key: 'key-b', at: 200 }],
    [Moved.type, { id: 'a1', at: 300 }],
    [Opened.type, { id: 'a1', key: 'key-a', at: 999 }], // a second start of a live instance: ignored
    [Nudged.type, { key: 'key-a' }],
    [Opened.type, { id: 'a2', key: 'key-a', at: 400 }],
    [Moved.type, { id: 'b1', at: 500 }],
    [Closed.type, { id: 'b1' }],
    [Moved.type, { id: 'b1', at: 600 }], // after its end: an ended instance still hears events (its decide may ignore them)
    [Nudged.type, { key: 'key-a' }],
    [Moved.type, { id: 'nobody', at: 700 }], // no such instance: nothing
    [Moved.type, { id: 'a2', at: 800 }],
  ];
  return events.map(([type, data], i) => ({ id: `e-${i}`, stream: 'desk.s', revision: i, position: i + 1, type, schemaVersion: 1, data, metadata: {}, recordedAt: new Date(0).toISOString() }));
}

describe('process steps of a runner batch: held in memory, written at its end (StepBatch)', function () {
  let dir: { path: string; cleanup(): Promise<void> };
  let db: Knex;
  const projection = processProjection(desk, {} as ProcessEnv);
  const tablesFor = (copy: string): ProcessTables => ({ instances: `instances_${copy}`, outbox: `outbox_${copy}`, timers: `timers_${copy}` });

  beforeEach(async () => {
    dir = await tempDir('seams-step-batch-');
    db = openSqlite({ filename: `${dir.path}/desk.sqlite` });
    for (const copy of ['one', 'each', 'pairs']) for (const [name, table] of Object.entries(processTables)) await db.schema.createTable(tablesFor(copy)[name as keyof ProcessTables], table);
  });

  afterEach(async () => {
    await db.destroy();
    await dir.cleanup();
  });

  /** What the tables hold, without the clock's columns. */
  async function contents(copy: string) {
    const t = tablesFor(copy);
    const instances = (await db(t.instances).orderBy('id')).map(({ created_at: _c, updated_at: _u, ...row }) => row);
    const outbox = (await db(t.outbox).orderBy('seq')).map(({ seq: _s, next_attempt_at: _n, ...row }) => row);
    const timers = await db(t.timers).orderBy(['instance_id', 'name']);
    return { instances, outbox, timers };
  }

  const apply = (events: RecordedEvent[], copy: string) => db.transaction((trx) => projection.applyBatch!(events, { db: trx, tables: tablesFor(copy) }));

  /** The reference: each event's step written row by row, statement by statement, as the engine writes its own steps. */
  const applyRowByRow = (event: RecordedEvent, copy: string) =>
    db.transaction(async (trx) => {
      const t = tablesFor(copy);
      const reaction = desk.reactions.find((r) => r.contract.type === event.type)!;
      const input = { kind: 'event' as const, event };
      if (reaction.start) return advance(desk, stepsIn(trx, t), {} as ProcessEnv, reaction.start(event), input, { start: true });
      if (reaction.id) return advance(desk, stepsIn(trx, t), {} as ProcessEnv, reaction.id(event), input);
      const ids = await trx(t.instances).where({ correlation: reaction.correlate!(event) }).whereIn('status', RUNNING).orderBy('created_at').pluck('id');
      for (const id of ids) await advance(desk, stepsIn(trx, t), {} as ProcessEnv, id, input);
    });

  it('the whole log as one batch, and as batches of two, leave what its steps written row by row leave: instances, commands (in order), timers', async () => {
    const events = log();
    await apply(events, 'one');
    for (const event of events) await applyRowByRow(event, 'each');
    for (let i = 0; i < events.length; i += 2) await apply(events.slice(i, i + 2), 'pairs');
    const one = await contents('one');
    expect(one).to.deep.equal(await contents('each'));
    expect(one).to.deep.equal(await contents('pairs'));
    // And what that is: a1 moved then nudged twice, a2 opened (nudged once) and moved, b1 moved, closed and moved again.
    expect(one.instances.map((i) => [i.id, i.status, JSON.parse(i.state).n])).to.deep.equal([['a1', 'running', 22], ['a2', 'running', 12], ['b1', 'completed', 3]]);
    expect(one.outbox.map((o) => `${o.instance_id}:${JSON.parse(o.data).n}`)).to.deep.equal(['a1:1', 'b1:1', 'a1:2', 'a2:1', 'b1:2', 'b1:3', 'a2:12']);
    expect(one.timers.map((t) => `${t.instance_id}/${t.name}@${t.due_at}`)).to.deep.equal(['a1/expire@300', 'a1/remind@1000', 'a2/expire@800', 'b1/expire@600']);
  });

  it('a batch that fails writes nothing (its transaction rolls back whole)', async () => {
    const events = log();
    await db.transaction(async (trx) => {
      await projection.applyBatch!(events, { db: trx, tables: tablesFor('one') });
      throw new Error('the checkpoint could not move');
    }).catch(() => undefined);
    const { instances, outbox, timers } = await contents('one');
    expect([instances.length, outbox.length, timers.length]).to.deep.equal([0, 0, 0]);
  });

  it("writes a batch's instances, commands and timers in one trip to the connection (one script, inside the batch's transaction)", async () => {
    const events = log().slice(0, 4); // no correlation: nothing asks for the instances in between
    const trips = await sqliteTripsDuring(() => apply(events, 'one'));
    expect(trips.scripts).to.have.length(1);
    expect(trips.scripts[0]).to.not.match(/BEGIN|COMMIT/);
    for (const table of ['instances_one', 'outbox_one', 'timers_one']) expect(trips.scripts[0]).to.include(`INSERT INTO "${table}"`);
    const { instances, outbox, timers } = await contents('one');
    expect([instances.length, outbox.length, timers.length]).to.deep.equal([2, 3, 3]);
  });
});
