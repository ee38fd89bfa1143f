import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { z } from 'zod';
import { defineEvent, defineModule, defineProjection, on, runCli } from '../../../src/kernel/host.js';
import { retryParked, skipParked } from '../../../src/kernel/projections/parkedActions.js';
import { eventually } from '../../support/http.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * A poison event parks its stream instead of stopping the projection: the other streams go on,
 * the poisoned stream's later events wait behind it (order within a stream holds), and an
 * operator retries the stream or skips its first event, as the log records.
 */
const Entry = defineEvent('ledger.Entry', 1, z.object({ account: z.string(), n: z.number().int(), poison: z.boolean() }));
const probe = { broken: true, busyLeft: 0 };

const balances = defineProjection({
  name: 'balances',
  version: 1,
  tables: { entries: (t) => (t.string('account').notNullable(), t.integer('n').notNullable(), t.primary(['account', 'n'])) },
  handlers: [
    on(Entry, async (e, { db, tables }) => {
      if (e.data.poison && probe.broken) throw new Error(`cannot book entry ${e.data.n} of ${e.data.account}`);
      // What sqlite3 reports when another process held the write lock past busy_timeout.
      if (probe.busyLeft-- > 0) throw Object.assign(new Error('SQLITE_BUSY: database is locked'), { code: 'SQLITE_BUSY', errno: 5 });
      await db(tables.entries).insert({ account: e.data.account, n: e.data.n });
    }),
  ],
});

const ledger = defineModule({ name: 'ledger', privateEvents: [Entry], streams: ['account'], projections: [balances] });

describe('parking a stream when a projection cannot handle one of its events', function () {
  this.timeout(30_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let app: Awaited<ReturnType<typeof startModules>>;
  beforeEach(async () => {
    probe.broken = true;
    probe.busyLeft = 0;
    dir = await tempDir('seams-parking-');
    app = await startModules(dir.path, { modules: [ledger], projections: { maxAttempts: 2, backoffMs: 1, maxBackoffMs: 2 } });
  });
  afterEach(async () => {
    await app.stop();
    await dir.cleanup();
  });

  const book = async (account: string, n: number, poison = false) => {
    const ctx = app.runtime.context('ledger');
    return (await ctx.events.append(ctx.events.stream('account', account), [{ type: Entry.type, data: { account, n, poison } }])).position;
  };
  const booked = async (account: string) => {
    const ctx = app.runtime.context('ledger');
    return (await ctx.db(ctx.tables('balances').entries).where({ account }).orderBy('n').pluck('n')) as number[];
  };

  it('the poisoned stream parks (its later events behind it) while other streams go on; a retry after the fix replays it in order', async () => {
    const [bad, good] = [randomUUID(), randomUUID()];
    await book(bad, 1);
    const poisonAt = await book(bad, 2, true);
    await book(bad, 3);
    await book(good, 1);
    const last = await book(good, 2);
    const ctx = app.runtime.context('ledger');
    expect(await ctx.waitFor(last, 10_000), 'the projection went on past the poison event').to.equal(true);
    expect(await booked(good)).to.deep.equal([1, 2]);
    expect(await booked(bad), 'entry 3 waits behind entry 2').to.deep.equal([1]);
    // Status shows it once the runner looked (it does after a parking, and twice a second).
    const status = await eventually(async () => {
      const [s] = await app.runtime.projectionStatus();
      return s?.parked?.[0]?.events === 2 && s;
    });
    expect(status).to.deep.include({ state: 'live' });
    expect(status!.parked).to.deep.equal([
      { stream: `ledger.account-${bad}`, events: 2, position: poisonAt, eventId: status!.parked![0]!.eventId, error: `cannot book entry 2 of ${bad}`, retrying: false },
    ]);
    // The CLI shows it too.
    const out: string[] = [];
    expect(await runCli(['--data-dir', dir.path, 'projections', 'status'], { modules: [ledger], io: { out: (s) => out.push(s), err: () => undefined, isTTY: false } })).to.equal(0);
    expect(out.join('\n')).to.match(new RegExp(`ledger/balances .*live .*parked: ledger\\.account-${bad} at ${poisonAt} \\(2 event\\(s\\)\\): cannot book entry 2`));

    probe.broken = false;
    await retryParked(ctx.db, 'ledger', 'balances', `ledger.account-${bad}`, { store: app.store, actor: 'test' });
    await eventually(async () => (await booked(bad)).length === 3);
    expect(await booked(bad)).to.deep.equal([1, 2, 3]);
    await eventually(async () => (await app.runtime.projectionStatus())[0]!.parked === undefined);
    // Its later events are applied as they come again.
    const next = await book(bad, 4);
    expect(await ctx.waitFor(next, 10_000)).to.equal(true);
    expect(await booked(bad)).to.deep.equal([1, 2, 3, 4]);
  });

  it('a batch looks up the parked streams only while some are parked: with none, one look; once one parks, every batch looks', async () => {
    const ctx = app.runtime.context('ledger');
    const looks: string[] = [];
    const listener = (q: { sql: string }) => /^select distinct .* from `parked_events`/.test(q.sql) && looks.push(q.sql);
    ctx.db.on('query', listener);
    try {
      const [good, bad] = [randomUUID(), randomUUID()];
      for (let n = 1; n <= 5; n++) expect(await ctx.waitFor(await book(good, n), 10_000)).to.equal(true);
      expect(looks, 'nothing parked: one look').to.have.length(1);
      expect(await ctx.waitFor(await book(bad, 1, true), 10_000)).to.equal(true);
      const parkedAt = looks.length;
      for (let n = 6; n <= 8; n++) expect(await ctx.waitFor(await book(good, n), 10_000)).to.equal(true);
      expect(await ctx.waitFor(await book(bad, 2), 10_000)).to.equal(true);
      expect(looks.length - parkedAt, 'a stream parked: each of the 4 batches looked').to.be.at.least(4);
      expect(await booked(good)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(await booked(bad), 'entry 2 waits behind entry 1').to.deep.equal([]);
      const [status] = await eventually(async () => {
        const s = await app.runtime.projectionStatus();
        return s[0]?.parked?.[0]?.events === 2 && s;
      });
      expect(status!.parked!.map((p) => p.stream)).to.deep.equal([`ledger.account-${bad}`]);
    } finally {
      ctx.db.off('query', listener);
    }
  });

  it('a runner started again looks again: another process may have parked a stream while this one did not lead', async () => {
    const ctx = app.runtime.context('ledger');
    const [good, elsewhere] = [randomUUID(), randomUUID()];
    expect(await ctx.waitFor(await book(good, 1), 10_000)).to.equal(true);
    const runner = app.runtime.runners().find((r) => r.name === 'balances')!;
    await runner.stop();
    // What the module's leader meanwhile (another process) left: a stream parked at an event of its own.
    const { generation } = await runner.status();
    await ctx.db('parked_events').insert({ projection: 'balances', generation, position: 1, stream: `ledger.account-${elsewhere}`, event_id: randomUUID(), error: 'parked elsewhere', retry: false, parked_at: Date.now() });
    runner.start();
    expect(await ctx.waitFor(await book(elsewhere, 2), 10_000)).to.equal(true);
    expect(await booked(elsewhere), 'entry 2 waits behind the stream parked elsewhere').to.deep.equal([]);
    expect(await ctx.db('parked_events').where({ stream: `ledger.account-${elsewhere}` }).count({ n: '*' }).first()).to.deep.equal({ n: 2 });
  });

  it('a skip passes over the stream’s first parked event for good, recorded in the log, and the rest of the stream follows', async () => {
    const account = randomUUID();
    const poisonAt = await book(account, 1, true);
    const last = await book(account, 2);
    const ctx = app.runtime.context('ledger');
    expect(await ctx.waitFor(last, 10_000)).to.equal(true);
    await eventually(async () => (await app.runtime.projectionStatus())[0]!.parked?.[0]?.events === 2);
    const { stream, position } = await skipParked(ctx.db, 'ledger', 'balances', undefined, 'a test entry', { store: app.store, actor: 'test' });
    expect([stream, position]).to.deep.equal([`ledger.account-${account}`, poisonAt]);
    await eventually(async () => (await booked(account)).length === 1);
    expect(await booked(account)).to.deep.equal([2]);
    const [skip] = await app.store.readStream('seams.projection-ledger-balances');
    expect(skip!.data).to.deep.include({ module: 'ledger', projection: 'balances', position: poisonAt, reason: 'a test entry' });
    expect(skip!.metadata).to.deep.include({ actor: 'test' });
  });

  // Chaos seed 1 (SQLite, ten minutes): a projection parked an order's customer stream on SQLITE_BUSY, and two orders stayed pending for good.
  it('a busy database (another process holding the write lock) parks nothing: the batch waits and goes through', async () => {
    const account = randomUUID();
    probe.busyLeft = 8; // more failures than the batch and each of its events have attempts
    await book(account, 1);
    const last = await book(account, 2);
    const ctx = app.runtime.context('ledger');
    expect(await ctx.waitFor(last, 10_000)).to.equal(true);
    expect(probe.busyLeft, 'every busy answer was met').to.be.below(0);
    expect(await booked(account)).to.deep.equal([1, 2]);
    const [status] = await app.runtime.projectionStatus();
    expect(status!.parked).to.equal(undefined);
    expect(status!.state).to.equal('live');
  });
});
