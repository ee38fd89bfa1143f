import { expect } from 'chai';
import { ValidationError, openModuleDatabase } from '../../../../src/kernel/host.js';
import { ScheduleJob } from '../../../../src/modules/jobs/commands.js';
import { handleJob } from '../../../../src/modules/jobs/job.js';
import { jobHistoryOf } from '../../../../src/modules/jobs/views/jobHistory.js';
import { tempDir } from '../../../support/tempDir.js';
import { startJobs, until, type JobsApp } from '../../../support/jobsHarness.js';

describe('jobs: the stations', function () {
  this.timeout(30_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let app: JobsApp | undefined;
  beforeEach(async () => {
    dir = await tempDir('seams-jobs-');
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await dir.cleanup();
  });

  const instance = (a: JobsApp, process: string, jobId: string) => a.runtime.processInstance(process, jobId);
  const poolEvents = async (a: JobsApp, type = 'render') => (await a.store.readStream(`jobs.pool-${type}`)).map((e) => `${e.type.slice(5)} ${(e.data as { jobId: string }).jobId}`);
  const eventsUntil = (a: JobsApp, jobId: string, last: string) => until(() => a.jobEvents(jobId), (types) => types.at(-1) === last);

  it('each station reacts to the previous one’s event: accepted → validated → prepared → scheduled', async () => {
    app = await startJobs(dir.path);
    const requestId = crypto.randomUUID();
    const jobId = await app.submit({ frames: 12 }, 'render', requestId);
    expect(await eventsUntil(app, jobId, 'JobScheduled')).to.deep.equal(['JobAccepted', 'JobValidated', 'JobPrepared', 'JobScheduled']);
    expect(await poolEvents(app)).to.deep.equal([`SlotReserved ${jobId}`]);
    const a = app;
    await until(() => instance(a, 'prepare_station', jobId), (i) => i?.status === 'completed');
    expect(await instance(app, 'validate_station', jobId)).to.deep.include({ status: 'completed', step: 'passed on' });
    expect(await instance(app, 'schedule_station', jobId)).to.deep.include({ status: 'running', step: 'scheduled: holds its slot until it ends' });
    // Each station's event was caused by its own command and belongs to the request that accepted the job (not the job's id).
    const events = await app.store.readStream(`jobs.job-${jobId}`);
    for (const e of events) expect(e.metadata).to.include({ correlationId: requestId, module: 'jobs' });
    const commands = (await instance(app, 'validate_station', jobId))!.commands;
    expect(events[1]!.metadata.causationId).to.equal(commands[0]!.commandId);
    expect(events[1]!.metadata.actor).to.equal('process:validate_station');
  });

  it('a transient error is retried with backoff, and the job goes on', async () => {
    let failures = 2;
    app = await startJobs(dir.path, {
      jobs: {
        beforeStation: (station) => {
          if (station === 'prepare' && failures-- > 0) throw new Error('the preparation store is briefly unavailable');
        },
      },
    });
    const jobId = await app.submit();
    await eventsUntil(app, jobId, 'JobScheduled');
    const detail = (await instance(app, 'prepare_station', jobId))!;
    expect(detail.commands).to.have.length(1);
    expect(detail.commands[0]).to.deep.include({ type: 'jobs.PrepareJob', status: 'done', attempts: 3, lastError: null });
  });

  it('a station that keeps failing gives up: the job fails at that station with the reason, nothing to compensate', async () => {
    app = await startJobs(dir.path, {
      jobs: {
        beforeStation: (station) => {
          if (station === 'prepare') throw new Error('the preparation store is down');
        },
      },
    });
    const jobId = await app.submit();
    expect(await eventsUntil(app, jobId, 'JobFailed')).to.deep.equal(['JobAccepted', 'JobValidated', 'JobFailed']);
    const failed = (await app.store.readStream(`jobs.job-${jobId}`)).at(-1)!;
    expect(failed.data).to.deep.include({ station: 'prepare', reason: 'the prepare station gave up: the preparation store is down' });
    const a = app;
    const detail = (await until(() => instance(a, 'prepare_station', jobId), (i) => i?.status === 'failed'))!;
    expect(detail.commands.map((c) => [c.type, c.status, c.attempts])).to.deep.equal([['jobs.PrepareJob', 'failed', 4], ['jobs.FailJob', 'done', 1]]);
    await app.ctx().catchUp(5000);
    expect(await instance(app, 'schedule_station', jobId)).to.equal(undefined);
    expect(await poolEvents(app)).to.deep.equal([]);
    expect(await app.jobEvents(jobId)).to.deep.equal(['JobAccepted', 'JobValidated', 'JobFailed']);
  });

  it('a refusal (a 4xx error) is not retried', async () => {
    app = await startJobs(dir.path, {
      jobs: {
        beforeStation: (station) => {
          if (station === 'validate') throw new ValidationError('this kind of job is not accepted here');
        },
      },
    });
    const jobId = await app.submit();
    await eventsUntil(app, jobId, 'JobFailed');
    const detail = (await instance(app, 'validate_station', jobId))!;
    expect(detail.commands[0]).to.deep.include({ type: 'jobs.ValidateJob', status: 'failed', attempts: 1 });
    expect((await app.store.readStream(`jobs.job-${jobId}`)).at(-1)!.data).to.deep.include({ station: 'validate', reason: 'the validate station gave up: this kind of job is not accepted here' });
  });

  it('the schedule station giving up after its reservation compensates: the slot is released and the job ends compensated', async () => {
    app = await startJobs(dir.path, {
      poolSize: 1,
      jobs: {
        beforeStation: (_station, _jobId, command) => {
          if (command === ScheduleJob.type) throw new Error('the scheduler is down');
        },
      },
    });
    const jobId = await app.submit();
    expect(await eventsUntil(app, jobId, 'JobCompensated')).to.deep.equal(['JobAccepted', 'JobValidated', 'JobPrepared', 'JobFailed', 'JobCompensated']);
    expect(await until(() => poolEvents(app!), (e) => e.length === 2)).to.deep.equal([`SlotReserved ${jobId}`, `SlotReleased ${jobId}`]);
    const a = app;
    const detail = (await until(() => instance(a, 'schedule_station', jobId), (i) => i?.status === 'compensated'))!;
    expect(detail.commands.map((c) => [c.type, c.purpose, c.status])).to.deep.equal([
      ['jobs.ReserveSlot', 'step', 'done'],
      ['jobs.ScheduleJob', 'step', 'failed'],
      ['jobs.FailJob', 'step', 'done'],
      ['jobs.ReleaseSlot', 'undo', 'done'],
      ['jobs.CompensateJob', 'step', 'done'],
    ]);
  });

  it('stations run in different processes: they meet only in the log', async () => {
    const other = await tempDir('seams-jobs-other-');
    // Process A takes jobs in and runs validation and preparation; process B (its own module database) schedules.
    app = await startJobs(dir.path, { jobs: { stations: ['validate', 'prepare'] } });
    const b = await startJobs(other.path, { logDir: dir.path, jobs: { stations: ['schedule'] } });
    try {
      const jobId = await app.submit();
      expect(await eventsUntil(app, jobId, 'JobScheduled')).to.deep.equal(['JobAccepted', 'JobValidated', 'JobPrepared', 'JobScheduled']);
      expect((await app.runtime.processInstances({})).map((i) => i.type).sort()).to.deep.equal(['prepare_station', 'validate_station']);
      expect((await b.runtime.processInstances({})).map((i) => i.type)).to.deep.equal(['schedule_station']);
      // A's status view followed B's work from the log.
      await app.ctx().catchUp(5000);
      expect((await jobHistoryOf(app.ctx(), jobId)).map((h) => `${h.status}@${h.station}`)).to.deep.equal(['accepted@intake', 'validated@validate', 'prepared@prepare', 'scheduled@schedule']);
    } finally {
      await b.stop();
      await other.cleanup();
    }
  });

  it('the history is insert-only and in order; replaying the log into it changes nothing', async () => {
    app = await startJobs(dir.path);
    const jobId = await app.submit();
    const snapshots: unknown[][] = [];
    const take = async () => {
      await app!.ctx().catchUp(5000);
      const rows = await app!.ctx().db(app!.ctx().tables('job_history').job_history).where({ job_id: jobId }).orderBy('position');
      snapshots.push(rows);
    };
    await eventsUntil(app, jobId, 'JobScheduled');
    await take();
    await handleJob(app.ctx().events, { kind: 'report', jobId, status: 'running' });
    await take();
    await handleJob(app.ctx().events, { kind: 'report', jobId, status: 'failed', detail: 'out of memory' });
    await eventsUntil(app, jobId, 'JobCompensated');
    await take();
    // Each snapshot starts with the previous one, row for row: rows are only ever added.
    for (let i = 1; i < snapshots.length; i++) expect(snapshots[i]!.slice(0, snapshots[i - 1]!.length)).to.deep.equal(snapshots[i - 1]);
    const history = await jobHistoryOf(app.ctx(), jobId);
    expect(history.map((h) => `${h.status}@${h.station}`)).to.deep.equal([
      'accepted@intake', 'validated@validate', 'prepared@prepare', 'scheduled@schedule', 'running@execution', 'failed@execution', 'compensated@schedule',
    ]);
    expect(history[5]).to.deep.include({ reason: 'out of memory' });
    const times = history.map((h) => h.at);
    expect([...times].sort()).to.deep.equal(times);

    // Deliver the whole log to both views again: the same rows, no duplicates.
    await app.stop();
    app = undefined;
    const db = await openModuleDatabase('jobs', { kind: 'sqlite', dataDir: dir.path });
    await db('projections').whereIn('name', ['job_history', 'job_status']).update({ position: 0 });
    await db.destroy();
    app = await startJobs(dir.path);
    await app.ctx().catchUp(5000);
    const rows = await app.ctx().db(app.ctx().tables('job_history').job_history).where({ job_id: jobId }).orderBy('position');
    expect(rows).to.deep.equal(snapshots.at(-1));
    expect(await app.ctx().db(app.ctx().tables('job_status').job_status).where({ job_id: jobId }).first()).to.include({ status: 'compensated', station: 'schedule', reason: 'out of memory', revision: 6 });
  });
});
