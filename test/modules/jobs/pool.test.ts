import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { WrongExpectedRevisionError, type EventOf, type RecordedEvent } from '../../../src/kernel/host.js';
import { ReleaseSlot, ReserveSlot } from '../../../src/modules/jobs/commands.js';
import { SlotReleased, SlotReserved, SlotWaitAbandoned, SlotWaitStarted } from '../../../src/modules/jobs/events.js';
import { MAX_CACHED_POOLS, cachedPoolCount, handlePool, pool, readPool, type PoolCommand } from '../../../src/modules/jobs/pool.js';
import { deciderSpec as spec } from '../../../src/kernel/host.js';
import { eventually } from '../../support/http.js';
import { tempDir } from '../../support/tempDir.js';
import { startJobs, type JobsApp } from '../../support/jobsHarness.js';

const type = 'render';
const id = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const reserved = (n: number): EventOf => ({ type: SlotReserved.type, data: { type, jobId: id(n) } });
const waiting = (n: number): EventOf => ({ type: SlotWaitStarted.type, data: { type, jobId: id(n) } });
const released = (n: number): EventOf => ({ type: SlotReleased.type, data: { type, jobId: id(n) } });
const abandoned = (n: number): EventOf => ({ type: SlotWaitAbandoned.type, data: { type, jobId: id(n) } });
const reserve = (n: number, size = 2): PoolCommand => ({ kind: 'reserve', type, jobId: id(n), size });
const release = (n: number, size = 2): PoolCommand => ({ kind: 'release', type, jobId: id(n), size });

describe('jobs: a pool of slots', () => {
  describe('rules', () => {
    it('reserves a slot while there is room, then puts jobs in line', () => {
      spec(pool).given([]).when(reserve(1)).then([reserved(1)]);
      spec(pool).given([reserved(1)]).when(reserve(2)).then([reserved(2)]);
      spec(pool).given([reserved(1), reserved(2)]).when(reserve(3)).then([waiting(3)]);
    });

    it('a release hands the slot to the first in line, in the same append', () => {
      const full = [reserved(1), reserved(2), waiting(3), waiting(4)];
      spec(pool).given(full).when(release(2)).then([released(2), reserved(3)]);
      spec(pool).given([...full, released(2), reserved(3)]).when(release(1)).then([released(1), reserved(4)]);
      spec(pool).given([reserved(1)]).when(release(1)).then([released(1)]);
    });

    it('a waiting job that leaves gives up its place in line; the line keeps its order', () => {
      const full = [reserved(1), reserved(2), waiting(3), waiting(4), waiting(5)];
      spec(pool).given(full).when(release(4)).then([abandoned(4)]);
      spec(pool).given([...full, abandoned(4)]).when(release(1)).then([released(1), reserved(3)]);
      spec(pool).given([...full, abandoned(3)]).when(release(1)).then([released(1), reserved(4)]);
    });

    it('is idempotent: a second reservation or release of one job decides nothing', () => {
      spec(pool).given([reserved(1)]).when(reserve(1)).then([]);
      spec(pool).given([reserved(1), reserved(2), waiting(3)]).when(reserve(3)).then([]);
      spec(pool).given([reserved(1), released(1)]).when(release(1)).then([]);
      spec(pool).given([]).when(release(9)).then([]);
    });

    it('the size is configuration: a shrunk pool keeps its reservations until released; a grown one lets its line in first', () => {
      spec(pool).given([reserved(1), reserved(2), reserved(3), waiting(4)]).when(release(1, 2)).then([released(1)]);
      spec(pool).given([reserved(1), reserved(2), waiting(3), waiting(4)]).when(reserve(5, 3)).then([reserved(3), waiting(5)]);
      spec(pool).given([reserved(1), reserved(2), waiting(3), waiting(4)]).when(reserve(5, 5)).then([reserved(3), reserved(4), reserved(5)]);
    });
  });

  describe('under concurrency: two processes on one log', function () {
    this.timeout(30_000);
    let logDir: Awaited<ReturnType<typeof tempDir>>;
    let otherDir: Awaited<ReturnType<typeof tempDir>>;
    let a: JobsApp;
    let b: JobsApp;
    let conflicts = 0;

    /** Counts the appends the store refused for a stale revision: proof the race was real. */
    const countConflicts = (app: JobsApp) => {
      const append = app.store.append.bind(app.store);
      app.store.append = async (...args) => {
        try {
          return await append(...args);
        } catch (error) {
          if (error instanceof WrongExpectedRevisionError) conflicts++;
          throw error;
        }
      };
    };

    beforeEach(async () => {
      logDir = await tempDir('seams-pool-a-');
      otherDir = await tempDir('seams-pool-b-');
      // Two runtimes, each with its own module database, on one log: no projections or stations, only commands.
      a = await startJobs(logDir.path, { poolSize: 5, startProjections: false });
      b = await startJobs(otherDir.path, { poolSize: 5, startProjections: false, logDir: logDir.path });
      conflicts = 0;
      countConflicts(a);
      countConflicts(b);
    });
    afterEach(async () => {
      await a.stop();
      await b.stop();
      await logDir.cleanup();
      await otherDir.cleanup();
    });

    const send = (app: JobsApp, command: typeof ReserveSlot | typeof ReleaseSlot, jobId: string) => app.runtime.dispatch(command.type, { jobId, type }, { commandId: randomUUID() });

    /** Replays the pool stream event by event: never more than `size` reserved, each job in line or holding at most once. */
    async function replay(size: number) {
      const events = await a.store.readStream(`jobs.pool-${type}`);
      const holding = new Set<string>();
      const line: string[] = [];
      let most = 0;
      for (const e of events as RecordedEvent<{ jobId: string }>[]) {
        const { jobId } = e.data;
        if (e.type === SlotReserved.type) {
          expect(holding.has(jobId), `${jobId} reserved twice`).to.equal(false);
          if (line.includes(jobId)) expect(line[0], 'slots go to the first in line').to.equal(jobId);
          line.splice(line.indexOf(jobId) >>> 0, line.includes(jobId) ? 1 : 0);
          holding.add(jobId);
        } else if (e.type === SlotWaitStarted.type) {
          expect(line.includes(jobId) || holding.has(jobId), `${jobId} queued twice`).to.equal(false);
          line.push(jobId);
        } else if (e.type === SlotReleased.type) {
          expect(holding.delete(jobId), `${jobId} released without a slot`).to.equal(true);
        }
        most = Math.max(most, holding.size);
        expect(holding.size, `after revision ${e.revision}`).to.be.at.most(size);
      }
      return { holding, line, most, events: events.length };
    }

    it('40 concurrent reservations from two processes: exactly 5 slots, 35 in line, never over-reserved', async () => {
      const jobs = Array.from({ length: 40 }, () => randomUUID());
      await Promise.all(jobs.map((jobId, i) => send(i % 2 ? a : b, ReserveSlot, jobId)));
      const { holding, line, most } = await replay(5);
      expect(holding.size).to.equal(5);
      expect(line).to.have.length(35);
      expect(new Set([...holding, ...line])).to.deep.equal(new Set(jobs));
      expect(most).to.equal(5);
      expect(conflicts, 'conflicting appends').to.be.greaterThan(0);
    });

    it('concurrent releases and new reservations hand slots to the line in order, never over-reserved', async () => {
      const first = Array.from({ length: 15 }, () => randomUUID());
      for (const jobId of first) await send(a, ReserveSlot, jobId); // in order: 5 hold, 10 wait
      const before = await replay(5);
      expect([...before.holding]).to.deep.equal(first.slice(0, 5));
      const late = Array.from({ length: 10 }, () => randomUUID());
      await Promise.all([
        ...first.slice(0, 5).map((jobId, i) => send(i % 2 ? a : b, ReleaseSlot, jobId)),
        ...late.map((jobId, i) => send(i % 2 ? b : a, ReserveSlot, jobId)),
      ]);
      const after = await replay(5);
      // The five freed slots went to the first five in line, whatever the late ones did.
      expect(new Set(after.holding)).to.deep.equal(new Set(first.slice(5, 10)));
      expect(after.line.slice(0, 5)).to.deep.equal(first.slice(10));
      expect(new Set(after.line.slice(5))).to.deep.equal(new Set(late));
      // Each process's running fold agrees with the log.
      for (const app of [a, b]) expect(await readPool(app.ctx(), type)).to.deep.include({ reserved: 5, waiting: 15, revision: after.events - 1 });
    });

    it('in one process, commands arriving while an append is under way are decided together and go to the log in one commit, each answered its own events', async () => {
      const jobs = Array.from({ length: 40 }, () => randomUUID());
      const outcomes = await Promise.all(jobs.map((jobId) => handlePool(a.ctx(), { kind: 'reserve', type, jobId, size: 5 })));
      // The first alone; the others, decided behind it, appended together (batchSize: appends in the log's commit).
      expect(outcomes.filter((o) => (o.result?.batchSize ?? 1) >= 10)).to.have.length.at.least(30);
      outcomes.forEach((outcome, i) => expect(outcome.appended.map((e) => [e.type, (e.data as { jobId: string }).jobId])).to.deep.equal([[i < 5 ? SlotReserved.type : SlotWaitStarted.type, jobs[i]]]));
      const { holding, line } = await replay(5);
      expect([...holding]).to.deep.equal(jobs.slice(0, 5));
      expect(line).to.deep.equal(jobs.slice(5));
      // Decided together, a release frees its slot to the first in line, and a job asking twice is answered once.
      const again = await Promise.all([handlePool(a.ctx(), { kind: 'release', type, jobId: jobs[0]!, size: 5 }), handlePool(a.ctx(), { kind: 'reserve', type, jobId: jobs[6]!, size: 5 }), handlePool(a.ctx(), { kind: 'release', type, jobId: jobs[1]!, size: 5 })]);
      expect(again.map((o) => o.appended.map((e) => (e.data as { jobId: string }).jobId))).to.deep.equal([[jobs[0], jobs[5]], [], [jobs[1], jobs[6]]]);
      expect(await readPool(b.ctx(), type)).to.deep.include({ reserved: 5, waiting: 33 });
    });

    it('a reservation delivered again after its slot was released (its record of being handled lost, as with a restored module database) reserves nothing, also decided together with others', async () => {
      const [x, ...others] = Array.from({ length: 6 }, () => randomUUID());
      const reserveX = randomUUID();
      await a.runtime.dispatch(ReserveSlot.type, { jobId: x, type }, { commandId: reserveX });
      await send(a, ReleaseSlot, x!);
      const db = a.runtime.context('jobs').db;
      await eventually(() => db('handled_commands').where({ command_id: reserveX }).first()); // written behind
      await db('handled_commands').delete();
      // The first keeps the pool busy while the others wait and are decided together, the replayed one second among them.
      const replayed = () => a.runtime.dispatch(ReserveSlot.type, { jobId: x, type }, { commandId: reserveX });
      await Promise.all([send(a, ReserveSlot, others[0]!), send(a, ReserveSlot, others[1]!), replayed(), ...others.slice(2).map((jobId) => send(a, ReserveSlot, jobId))]);
      const events = await a.store.readStream(`jobs.pool-${type}`);
      expect(events.filter((e) => (e.data as { jobId: string }).jobId === x).map((e) => e.type), 'what the pool holds of the replayed job').to.deep.equal([SlotReserved.type, SlotReleased.type]);
      const { holding } = await replay(5);
      expect(new Set(holding)).to.deep.equal(new Set(others));
    });

    it('a repeated command (same command id, or a new id for the same job) reserves once', async () => {
      const jobId = randomUUID();
      const commandId = randomUUID();
      await a.runtime.dispatch(ReserveSlot.type, { jobId, type }, { commandId });
      await b.runtime.dispatch(ReserveSlot.type, { jobId, type }, { commandId });
      await send(b, ReserveSlot, jobId);
      expect((await a.store.readStream(`jobs.pool-${type}`)).map((e) => e.type)).to.deep.equal([SlotReserved.type]);
    });
  });

  describe('bounded', () => {
    it('keeps the folds of the pools used last, at most MAX_CACHED_POOLS, however many types clients ask for; an evicted pool reads the same', async () => {
      const dir = await tempDir('seams-pool-cache-');
      const app = await startJobs(dir.path, { poolSize: 5, startProjections: false });
      try {
        const jobId = randomUUID();
        await app.runtime.dispatch(ReserveSlot.type, { jobId, type }, { commandId: randomUUID() });
        for (let n = 0; n < MAX_CACHED_POOLS + 200; n++) await readPool(app.ctx(), `probe-${n}`);
        expect(cachedPoolCount(app.ctx())).to.equal(MAX_CACHED_POOLS);
        // `render` was pushed out; it is folded again from its stream.
        expect(await readPool(app.ctx(), type)).to.deep.equal({ reserved: 1, waiting: 0, revision: 0 });
        expect(cachedPoolCount(app.ctx())).to.equal(MAX_CACHED_POOLS);
      } finally {
        await app.stop();
        await dir.cleanup();
      }
    });
  });
});
