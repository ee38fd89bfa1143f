import { expect } from 'chai';
import { jobsModule } from '../../src/modules/jobs/index.js';
import { startApp, type TestApp } from '../support/httpHarness.js';
import { tempDir } from '../support/tempDir.js';
import { eventually, expectStatus, withModule } from '../support/http.js';

/**
 * The real server stopped while jobs are between stations, and started again on the same data
 * directory: every job goes on from where it was — the outboxes, the pools' waiting lines and the
 * views are all durable.
 */
describe('HTTP jobs across a restart', function () {
  this.timeout(60_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let app: TestApp | undefined;
  beforeEach(async () => {
    dir = await tempDir('seams-jobs-restart-');
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await dir.cleanup();
  });

  /** The application on `dir` with a pool size of 2; `blocked` stations fail (transiently) until the next start. */
  const start = async (blocked: Set<string> = new Set()) => {
    const modules = withModule('jobs', () =>
      jobsModule({
        beforeStation: (station) => {
          if (blocked.has(station)) throw new Error(`the ${station} station is down`);
        },
      }),
    );
    app = await startApp({ config: { dataDir: dir.path, env: { JOBS_POOL_SIZE: '2' } }, modules });
    // The end system's token, issued once: it stays valid across restarts (the signing secret is in the data directory).
    endSystem ??= (await app.serviceToken(['jobs:submit', 'jobs:read', 'jobs:report'])).token;
    return app;
  };
  let endSystem: string | undefined;
  beforeEach(() => {
    endSystem = undefined;
  });
  const submit = async (a: TestApp, type: string) => {
    const reply = await a.request('POST', '/jobs', { token: endSystem, body: { type, payload: { frames: 1 } } });
    expectStatus(reply, 202);
    return reply.body.jobId as string;
  };
  const statuses = async (a: TestApp, ids: string[]) => Promise.all(ids.map(async (id) => (await a.request('GET', `/jobs/${id}`, { token: endSystem })).body.status as string));
  const pool = async (a: TestApp, type: string) => (await a.request('GET', `/jobs/pools/${type}`, { token: endSystem })).body;
  const stop = async () => {
    await app!.stop();
    app = undefined;
  };

  it('jobs held between stations continue after the restart, and a waiting line survives it', async () => {
    const blocked = new Set(['prepare']);
    let a = await start(blocked);
    // Three jobs pass validation and are stuck before preparation (its command keeps being retried) ...
    const validated = [await submit(a, 'render'), await submit(a, 'render'), await submit(a, 'render')];
    await eventually(async () => (await statuses(a, validated)).every((s) => s === 'validated'));
    await eventually(async () => (await a.server.runtime.processInstances({ type: 'prepare_station' })).filter((i) => i.attempts > 0).length === 3);
    // ... and one more is stuck before validation.
    blocked.add('validate');
    const accepted = await submit(a, 'render');
    await eventually(async () => ((await a.server.runtime.processInstance('validate_station', accepted))?.attempts ?? 0) > 0);
    const jobs = [...validated, accepted];
    expect(await statuses(a, jobs)).to.deep.equal(['validated', 'validated', 'validated', 'accepted']);
    await stop();

    // Restart with working stations: all four go on; two take the pool's slots, two wait in line.
    a = await start();
    await eventually(async () => (await pool(a, 'render')).waiting === 2);
    expect(await pool(a, 'render')).to.deep.equal({ type: 'render', size: 2, reserved: 2, waiting: 2 });
    await eventually(async () => (await statuses(a, jobs)).filter((s) => s === 'scheduled').length === 2);
    expect((await statuses(a, jobs)).sort()).to.deep.equal(['prepared', 'prepared', 'scheduled', 'scheduled']);
    const current = await statuses(a, jobs);
    const firstScheduled = jobs.find((_, i) => current[i] === 'scheduled')!;
    await stop();

    // Restart again with the line still waiting: a slot freed after this start goes to the line.
    a = await start();
    expectStatus(await a.request('POST', `/jobs/${firstScheduled}/execution-reports`, { token: endSystem, body: { status: 'succeeded' } }), 202);
    await eventually(async () => (await statuses(a, jobs)).sort().join() === 'prepared,scheduled,scheduled,succeeded');
    expect(await pool(a, 'render')).to.deep.equal({ type: 'render', size: 2, reserved: 2, waiting: 1 });
    for (const jobId of jobs) {
      const history = (await a.request('GET', `/jobs/${jobId}/history`, { token: endSystem })).body.history as { status: string }[];
      const expected = ['accepted', 'validated', 'prepared', 'scheduled', 'succeeded'];
      expect(expected.slice(0, history.length), jobId).to.deep.equal(history.map((h) => h.status));
    }
  });

  it('a server stopped right after taking a burst of jobs: after the restart every job reaches its pool', async () => {
    let a = await start();
    const jobs = await Promise.all(Array.from({ length: 12 }, () => submit(a, 'burst')));
    await stop(); // wherever the stations were
    a = await start();
    await eventually(async () => {
      const p = await pool(a, 'burst');
      return p.reserved === 2 && p.waiting === 10;
    });
    await eventually(async () => (await statuses(a, jobs)).filter((s) => s === 'scheduled').length === 2);
    expect((await statuses(a, jobs)).filter((s) => s === 'prepared')).to.have.length(10);
    // Each job's stream went through the stations once: no step repeated by the restart.
    for (const jobId of jobs) {
      const types = (await a.server.store.readStream(`jobs.job-${jobId}`)).map((e) => e.type.slice(5));
      expect(types.slice(0, 3)).to.deep.equal(['JobAccepted', 'JobValidated', 'JobPrepared']);
      expect(new Set(types).size).to.equal(types.length);
    }
  });
});
