import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startApp, type Reply, type TestApp } from '../../support/httpHarness.js';
import {
  HOSTILE_TEXTS,
  UUID,
  badInputTable,
  commonBadInputs,
  eventPosition,
  eventually,
  expectProblem,
  expectStatus,
  fieldCases,
  missingFieldCases,
  unknownId,
  type BadInput,
  type Endpoint,
} from '../../support/http.js';

interface Fixture {
  app: TestApp;
  /** The end system's service token (jobs:submit, jobs:read, jobs:report). */
  token: string;
  jobId: string;
}

type Report = 'running' | 'succeeded' | 'failed';

/** A job type of its own for each test: each type has its own pool. */
const freshType = () => `t-${randomUUID().slice(0, 8)}`;

describe('HTTP jobs', function () {
  this.timeout(30_000);
  let app: TestApp;
  let fx: Fixture;
  /** The end system: it submits jobs, reads them and reports their execution. Who else may do what is tested under "who may do what". */
  let endSystem: { tokenId: string; token: string };
  const req: TestApp['request'] = (method, path, init = {}) => app.request(method, path, { token: endSystem.token, ...init });

  const submit = async (type: string, payload: unknown = { frames: 1 }) => {
    const reply = await req('POST', '/jobs', { body: { type, payload } });
    expectStatus(reply, 202);
    return reply.body.jobId as string;
  };
  const view = async (jobId: string) => (await req('GET', `/jobs/${jobId}`)).body;
  const waitFor = (jobId: string, status: string) => eventually(async () => ((await view(jobId)).status === status ? view(jobId) : undefined));
  const report = (jobId: string, status: Report, detail?: string) => req('POST', `/jobs/${jobId}/execution-reports`, { body: { status, ...(detail !== undefined ? { detail } : {}) } });
  const history = async (jobId: string) => ((await req('GET', `/jobs/${jobId}/history`)).body.history as { status: string; station: string }[]).map((h) => `${h.status}@${h.station}`);
  const pool = async (type: string) => (await req('GET', `/jobs/pools/${type}`)).body;
  const poolStream = async (type: string) => app.server.store.readStream(`jobs.pool-${type}`);
  /** Reports and expects the answer. */
  const expectReport = async (jobId: string, status: Report, expected: number, detail?: string): Promise<Reply> => {
    const reply = await report(jobId, status, detail);
    if (expected >= 400) expectProblem(reply, expected);
    else expectStatus(reply, expected);
    return reply;
  };

  before(async () => {
    app = await startApp({ config: { env: { JOBS_POOL_SIZE: '2' } } });
    endSystem = await app.serviceToken(['jobs:submit', 'jobs:read', 'jobs:report']);
    const jobId = await submit(freshType());
    await waitFor(jobId, 'scheduled');
    fx = { app, token: endSystem.token, jobId };
  });
  after(async () => app?.stop());

  describe('the pipeline', () => {
    it('POST /jobs → 202 { jobId } with Event-Position and Location; a read with Min-Position sees the job', async () => {
      const type = freshType();
      const reply = await req('POST', '/jobs', { body: { type, payload: { frames: 24 } } });
      expectStatus(reply, 202);
      expect(Object.keys(reply.body)).to.deep.equal(['jobId']);
      expect(reply.body.jobId).to.match(UUID);
      expect(reply.headers.get('location')).to.equal(`/jobs/${reply.body.jobId}`);
      const position = eventPosition(reply);
      const event = await app.eventAt(position);
      expect(event).to.deep.include({ type: 'jobs.JobAccepted', stream: `jobs.job-${reply.body.jobId}` });
      expect(event!.data).to.deep.equal({ jobId: reply.body.jobId, type, submittedBy: `service:${endSystem.tokenId}`, payload: { frames: 24 } });
      const read = await req('GET', `/jobs/${reply.body.jobId}`, { headers: { 'min-position': String(position) } });
      expectStatus(read, 200);
      expect(read.body).to.include({ jobId: reply.body.jobId, type });
    });

    it('accepted → validated → prepared → scheduled → running → succeeded; the slot is held from scheduled until the end', async () => {
      const type = freshType();
      const jobId = await submit(type);
      const scheduled = await waitFor(jobId, 'scheduled');
      expect(Object.keys(scheduled).sort()).to.deep.equal(['jobId', 'station', 'status', 'type', 'updatedAt']);
      expect(scheduled).to.include({ jobId, type, status: 'scheduled', station: 'schedule' });
      expect(await pool(type)).to.deep.equal({ type, size: 2, reserved: 1, waiting: 0 });

      const running = await expectReport(jobId, 'running', 202, 'on worker 3');
      expect(running.body).to.deep.equal({ jobId, status: 'running' });
      expect(eventPosition(running)).to.equal(await app.headOf(eventPosition(running)));
      expect(await waitFor(jobId, 'running')).to.include({ station: 'execution' });
      expect(await pool(type)).to.include({ reserved: 1 });

      await expectReport(jobId, 'succeeded', 202);
      const done = await waitFor(jobId, 'succeeded');
      expect(done).to.include({ station: 'execution' });
      expect(done).to.not.have.property('reason');
      await eventually(async () => (await pool(type)).reserved === 0);

      const entries = (await req('GET', `/jobs/${jobId}/history`)).body.history as { status: string; station: string; at: string }[];
      expect(entries.map((h) => `${h.status}@${h.station}`)).to.deep.equal([
        'accepted@intake', 'validated@validate', 'prepared@prepare', 'scheduled@schedule', 'running@execution', 'succeeded@execution',
      ]);
      for (const h of entries) expect(Object.keys(h).sort()).to.deep.equal(['at', 'station', 'status']);
      expect(entries.map((h) => h.at)).to.deep.equal(entries.map((h) => h.at).sort());
      expect(done.updatedAt).to.equal(entries.at(-1)!.at);
      expect((await poolStream(type)).map((e) => e.type)).to.deep.equal(['jobs.SlotReserved', 'jobs.SlotReleased']);
    });

    const notObjects: [string, unknown, string][] = [
      ['an array', [1, 2, 3], 'an array'],
      ['a string', 'render me', 'a string'],
      ['a number', 42, 'a number'],
      ['a boolean', false, 'a boolean'],
      ['null', null, 'null'],
    ];
    for (const [label, payload, kind] of notObjects) {
      it(`validation refuses a payload that is ${label}: failed at validate with a reason, nothing to compensate`, async () => {
        const type = freshType();
        const jobId = await submit(type, payload);
        const failed = await waitFor(jobId, 'failed');
        expect(failed).to.deep.include({ station: 'validate', reason: `the payload must be a JSON object, not ${kind}` });
        expect(await history(jobId)).to.deep.equal(['accepted@intake', 'failed@validate']);
        expect(await poolStream(type)).to.deep.equal([]);
        expect(await pool(type)).to.deep.equal({ type, size: 2, reserved: 0, waiting: 0 });
        const instances = await app.server.runtime.processInstances({ type: 'schedule_station' });
        expect(instances.map((i) => i.id)).to.not.include(jobId);
      });
    }

    it('validation refuses a payload larger than 64 KiB; one of exactly 64 KiB goes through', async () => {
      const type = freshType();
      const sized = (bytes: number) => ({ x: 'a'.repeat(bytes - '{"x":""}'.length) });
      const big = await submit(type, sized(64 * 1024 + 1));
      const fits = await submit(type, sized(64 * 1024));
      expect(await waitFor(big, 'failed')).to.deep.include({ station: 'validate', reason: 'the payload is 65537 bytes; the limit is 65536 (64 KiB)' });
      await waitFor(fits, 'scheduled');
      expect(await history(big)).to.deep.equal(['accepted@intake', 'failed@validate']);
      expect(await pool(type)).to.include({ reserved: 1 });
    });

    it('a failure after scheduling is compensated: the slot is released and the job ends compensated', async () => {
      const type = freshType();
      const jobId = await submit(type);
      await waitFor(jobId, 'scheduled');
      await expectReport(jobId, 'running', 202);
      const failed = await expectReport(jobId, 'failed', 202, 'the renderer crashed');
      expect(failed.body).to.deep.equal({ jobId, status: 'failed' });
      const ended = await waitFor(jobId, 'compensated');
      expect(ended).to.deep.include({ station: 'schedule', reason: 'the renderer crashed' });
      expect(await history(jobId)).to.deep.equal([
        'accepted@intake', 'validated@validate', 'prepared@prepare', 'scheduled@schedule', 'running@execution', 'failed@execution', 'compensated@schedule',
      ]);
      expect(await pool(type)).to.deep.equal({ type, size: 2, reserved: 0, waiting: 0 });
      expect((await poolStream(type)).map((e) => e.type)).to.deep.equal(['jobs.SlotReserved', 'jobs.SlotReleased']);
    });
  });

  describe('a pool of 2 (JOBS_POOL_SIZE=2)', () => {
    it('fills up and drains: the third job waits in prepared and is scheduled when a slot frees', async () => {
      const type = freshType();
      const first = await submit(type);
      await waitFor(first, 'scheduled');
      const second = await submit(type);
      await waitFor(second, 'scheduled');
      const third = await submit(type);
      await eventually(async () => (await pool(type)).waiting === 1);
      expect(await pool(type)).to.deep.equal({ type, size: 2, reserved: 2, waiting: 1 });
      expect(await waitFor(third, 'prepared')).to.include({ station: 'prepare' });
      await expectReport(third, 'running', 409); // not scheduled: it may not run yet

      await expectReport(first, 'succeeded', 202);
      await waitFor(third, 'scheduled');
      expect(await pool(type)).to.deep.equal({ type, size: 2, reserved: 2, waiting: 0 });
      await expectReport(second, 'failed', 202);
      await waitFor(second, 'compensated');
      await eventually(async () => (await pool(type)).reserved === 1);
      await expectReport(third, 'succeeded', 202);
      await eventually(async () => (await pool(type)).reserved === 0);
      expect(await history(third)).to.deep.equal(['accepted@intake', 'validated@validate', 'prepared@prepare', 'scheduled@schedule', 'succeeded@execution']);
    });

    it('six jobs at once: never more than two hold a slot, and the line is served in order', async () => {
      const type = freshType();
      const jobs = await Promise.all(Array.from({ length: 6 }, () => submit(type)));
      await eventually(async () => (await pool(type)).waiting === 4);
      const done = new Set<string>();
      while (done.size < 6) {
        const { reserved } = await pool(type);
        const holding = (await req('GET', `/jobs?type=${type}&status=scheduled`)).body.jobs as { jobId: string }[];
        expect(reserved).to.be.at.most(2);
        expect(holding.length).to.be.at.most(2);
        for (const { jobId } of holding) {
          // The status view may not have taken in a report made a moment ago: a job reported is done.
          if (done.has(jobId)) continue;
          await expectReport(jobId, 'succeeded', 202);
          done.add(jobId);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(new Set(jobs)).to.deep.equal(done);
      // The line was served first come, first served: the four that waited got their slots in the
      // order they got in line (which is the order their ReserveSlot commands reached the pool, not
      // necessarily the order they were prepared: the station sends its commands side by side).
      const poolLog = await app.server.store.readStream(`jobs.pool-${type}`);
      const jobsOf = (type: string) => poolLog.filter((e) => e.type === type).map((e) => (e.data as { jobId: string }).jobId);
      const joined = jobsOf('jobs.SlotWaitStarted');
      expect(joined).to.have.length(4);
      expect(jobsOf('jobs.SlotReserved').filter((j) => joined.includes(j))).to.deep.equal(joined);
      await eventually(async () => (await pool(type)).reserved === 0);
    });
  });

  describe('execution reports', () => {
    it('404 for an unknown job; nothing appended', async () => {
      const before = await app.headPosition();
      expectProblem(await report(unknownId(), 'running'), 404);
      expect(await app.headPosition()).to.equal(before);
    });

    it('409 for a report on a job that was never scheduled (refused at validation); nothing appended', async () => {
      const jobId = await submit(freshType(), ['not', 'an', 'object']);
      await waitFor(jobId, 'failed');
      const before = await app.headPosition();
      for (const status of ['running', 'succeeded', 'failed'] as const) {
        const reply = await expectReport(jobId, status, 409);
        expect(reply.body.detail).to.match(/already ended failed \(at validate\)/);
      }
      expect(await app.headPosition()).to.equal(before);
    });

    it('out of order: succeeded before running is taken (202); the late running report is then a conflict (409)', async () => {
      const type = freshType();
      const jobId = await submit(type);
      await waitFor(jobId, 'scheduled');
      await expectReport(jobId, 'succeeded', 202);
      await waitFor(jobId, 'succeeded');
      // The success's own consequence (the slot released) is appended first: the head below moves for nothing else.
      await eventually(async () => (await pool(type)).reserved === 0);
      const before = await app.headPosition();
      expect((await expectReport(jobId, 'running', 409)).body.detail).to.match(/already ended succeeded/);
      expect(await app.headPosition()).to.equal(before);
      expect(await history(jobId)).to.deep.equal(['accepted@intake', 'validated@validate', 'prepared@prepare', 'scheduled@schedule', 'succeeded@execution']);
    });

    it('a repeated report is a no-op: 200 with the current status, no Event-Position, nothing appended', async () => {
      const type = freshType();
      const jobId = await submit(type);
      await waitFor(jobId, 'scheduled');
      for (const status of ['running', 'succeeded'] as const) {
        await expectReport(jobId, status, 202);
        // A success releases the job's slot (appended by the schedule station after the report): wait for it, so the head moves for nothing else.
        if (status === 'succeeded') await eventually(async () => (await pool(type)).reserved === 0);
        const before = await app.headPosition();
        const again = await expectReport(jobId, status, 200);
        expect(again.body).to.deep.equal({ jobId, status });
        expect(again.headers.get('event-position')).to.equal(null);
        expect(await app.headPosition()).to.equal(before);
      }
    });

    it('a repeated failure is a no-op, also after compensation; success for a compensated job is a conflict', async () => {
      const jobId = await submit(freshType());
      await waitFor(jobId, 'scheduled');
      await expectReport(jobId, 'failed', 202, 'first');
      await expectReport(jobId, 'failed', 200, 'again');
      await waitFor(jobId, 'compensated');
      const before = await app.headPosition();
      expect((await expectReport(jobId, 'failed', 200)).body).to.deep.equal({ jobId, status: 'compensated' });
      expect((await expectReport(jobId, 'succeeded', 409)).body.detail).to.match(/already ended compensated/);
      await expectReport(jobId, 'running', 409);
      expect(await app.headPosition()).to.equal(before);
      expect((await view(jobId)).reason).to.equal('first');
    });

    it('a failure for a job that succeeded is a conflict', async () => {
      const jobId = await submit(freshType());
      await waitFor(jobId, 'scheduled');
      await expectReport(jobId, 'succeeded', 202);
      await expectReport(jobId, 'failed', 409);
    });

    it('detail is stored verbatim, however hostile it looks', async () => {
      for (const text of HOSTILE_TEXTS.slice(0, 4)) {
        const jobId = await submit(freshType());
        await waitFor(jobId, 'scheduled');
        await expectReport(jobId, 'failed', 202, text);
        expect((await waitFor(jobId, 'compensated')).reason).to.equal(text);
      }
    });
  });

  describe('reads', () => {
    it('GET /jobs filters by status and type, in the order the jobs arrived', async () => {
      const type = freshType();
      const ok = await submit(type);
      const refused = await submit(type, 'nope');
      await waitFor(ok, 'scheduled');
      await waitFor(refused, 'failed');
      const all = (await req('GET', `/jobs?type=${type}`)).body.jobs as { jobId: string }[];
      expect(all.map((j) => j.jobId)).to.deep.equal([ok, refused]);
      const failed = await req('GET', `/jobs?type=${type}&status=failed`);
      expectStatus(failed, 200);
      expect(failed.body.jobs).to.deep.equal([await view(refused)]);
      expect((await req('GET', `/jobs?type=${type}&status=running`)).body.jobs).to.deep.equal([]);
      expect((await req('GET', `/jobs?type=${type}&limit=1`)).body.jobs.map((j: { jobId: string }) => j.jobId)).to.deep.equal([ok]);
      const scheduledEverywhere = (await req('GET', '/jobs?status=scheduled&limit=1000')).body.jobs as { jobId: string; status: string }[];
      expect(scheduledEverywhere.map((j) => j.jobId)).to.include(ok);
      expect(scheduledEverywhere.every((j) => j.status === 'scheduled')).to.equal(true);
    });

    it('GET /jobs/pools/history is the pool of type "history" (not the history of a job called "pools")', async () => {
      expect(await req('GET', '/jobs/pools/history')).to.deep.include({ status: 200, body: { type: 'history', size: 2, reserved: 0, waiting: 0 } });
    });

    it('404 problem for an unknown job, its history and its payload', async () => {
      expectProblem(await req('GET', `/jobs/${unknownId()}`), 404);
      expectProblem(await req('GET', `/jobs/${unknownId()}/history`), 404);
      expectProblem(await req('GET', `/jobs/${unknownId()}/payload`), 404);
    });

    it('GET /jobs/:jobId/payload gives the end system the type and payload exactly as accepted, at any status', async () => {
      const type = freshType();
      const payload = { scene: 7, text: "<script>alert('x')</script>", nested: { list: [1, 'two', null] } };
      const jobId = await submit(type, payload);
      // Straight away, before any station has run: the payload is read from the job's stream.
      expect(await req('GET', `/jobs/${jobId}/payload`)).to.deep.include({ status: 200, body: { jobId, type, payload } });
      await waitFor(jobId, 'scheduled');
      expect((await req('GET', `/jobs/${jobId}/payload`)).body).to.deep.equal({ jobId, type, payload });
      // A payload the validation station refused is still what was accepted.
      const refused = await submit(type, 'not an object');
      await waitFor(refused, 'failed');
      expect((await req('GET', `/jobs/${refused}/payload`)).body).to.deep.equal({ jobId: refused, type, payload: 'not an object' });
    });

    it('the job carries an ETag: its stream revision', async () => {
      const reply = await req('GET', `/jobs/${fx.jobId}`);
      expect(reply.headers.get('etag')).to.equal('"3"');
    });
  });

  describe('who may do what', () => {
    it('a member sees the jobs they submitted (and no one else’s: 404); an operator and a jobs:read token see all', async () => {
      const [ada, eve, olga] = [await app.signUp('Ada'), await app.signUp('Eve'), await app.operator('Olga')];
      const reader = await app.serviceToken(['jobs:read']);
      const type = freshType();
      const posted = await app.request('POST', '/jobs', { token: ada.token, body: { type, payload: { frames: 1 } } });
      expectStatus(posted, 202);
      const { jobId } = posted.body;
      const at = { 'min-position': String(eventPosition(posted)) };
      for (const path of [`/jobs/${jobId}`, `/jobs/${jobId}/payload`, `/jobs/${jobId}/history`]) {
        expectStatus(await app.request('GET', path, { token: ada.token, headers: at }), 200);
        expectStatus(await app.request('GET', path, { token: olga.token, headers: at }), 200);
        expectStatus(await app.request('GET', path, { token: reader.token, headers: at }), 200);
        expectProblem(await app.request('GET', path, { token: eve.token, headers: at }), 404);
        expectProblem(await app.request('GET', path, { headers: at }), 401);
      }
      const listed = async (token: string) => ((await app.request('GET', `/jobs?type=${type}`, { token, headers: at })).body.jobs as { jobId: string }[]).map((j) => j.jobId);
      expect(await listed(ada.token)).to.deep.equal([jobId]);
      expect(await listed(eve.token)).to.deep.equal([]);
      expect(await listed(olga.token)).to.deep.equal([jobId]);
      expect(await listed(reader.token)).to.deep.equal([jobId]);
    });

    it('execution reports need an operator or a jobs:report token, not the submitter (403), and nothing is appended', async () => {
      const ada = await app.signUp('Ada');
      const olga = await app.operator('Olga');
      const reporter = await app.serviceToken(['jobs:report']);
      const submitted = await app.request('POST', '/jobs', { token: ada.token, body: { type: freshType(), payload: { frames: 1 } } });
      const { jobId } = submitted.body;
      await waitFor(jobId, 'scheduled');
      const before = await app.headPosition();
      expectProblem(await app.request('POST', `/jobs/${jobId}/execution-reports`, { token: ada.token, body: { status: 'failed' } }), 403);
      expectProblem(await app.request('POST', `/jobs/${jobId}/execution-reports`, { body: { status: 'failed' } }), 401);
      expect(await app.headPosition()).to.equal(before);
      expectStatus(await app.request('POST', `/jobs/${jobId}/execution-reports`, { token: reporter.token, body: { status: 'running' } }), 202);
      expectStatus(await app.request('POST', `/jobs/${jobId}/execution-reports`, { token: olga.token, body: { status: 'succeeded' } }), 202);
    });

    it('an execution report honours If-Match: a stale revision is a 412 and changes nothing; the current one is taken', async () => {
      const jobId = await submit(freshType());
      await waitFor(jobId, 'scheduled');
      const etag = (await req('GET', `/jobs/${jobId}`)).headers.get('etag')!;
      expect(etag).to.equal('"3"');
      const before = await app.headPosition();
      expectProblem(await req('POST', `/jobs/${jobId}/execution-reports`, { body: { status: 'failed' }, headers: { 'if-match': '"2"' } }), 412);
      expect(await app.headPosition()).to.equal(before);
      expect((await view(jobId)).status).to.equal('scheduled');
      const taken = await req('POST', `/jobs/${jobId}/execution-reports`, { body: { status: 'running' }, headers: { 'if-match': etag } });
      expectStatus(taken, 202);
      expect(taken.headers.get('etag')).to.equal('"4"');
    });
  });

  describe('bad input: a 4xx problem, nothing appended', () => {
    const submitJob: Endpoint<Fixture> = { method: 'POST', path: '/jobs', auth: true, validBody: () => ({ type: 'render', payload: { frames: 1 } }) };
    const reportOn: Endpoint<Fixture> = {
      method: 'POST',
      path: (f) => `/jobs/${f.jobId}/execution-reports`,
      label: '/jobs/:jobId/execution-reports',
      auth: true,
      validBody: () => ({ status: 'running' }),
    };
    const badTypes: [string, unknown][] = [
      ['a number', 7],
      ['null', null],
      ['an empty string', ''],
      ['65 characters', 'x'.repeat(65)],
      ['a slash', 'a/b'],
      ['a space', 'a b'],
      ['a leading dot', '.hidden'],
      ['SQL', "'; DROP TABLE job_status; --"],
      ['an object', { name: 'render' }],
    ];
    const cases: BadInput<Fixture>[] = [
      ...commonBadInputs(submitJob),
      ...missingFieldCases(submitJob, ['type', 'payload']),
      ...fieldCases(submitJob, 'type', badTypes),

      ...commonBadInputs(reportOn),
      ...missingFieldCases(reportOn, ['status']),
      ...fieldCases(reportOn, 'status', [['unknown', 'done'], ['upper case', 'RUNNING'], ['a number', 1], ['null', null], ['an array', ['running']]]),
      ...fieldCases(reportOn, 'detail', [['a number', 5], ['2,001 characters', 'x'.repeat(2001)], ['null', null]]),
      { method: 'POST', path: '/jobs/not-a-uuid/execution-reports', name: 'a non-UUID id', body: { status: 'running' }, auth: true, status: 400, field: 'jobId' },
      { method: 'POST', path: "/jobs/'%20OR%201=1%20--/execution-reports", name: 'SQL in the id', body: { status: 'running' }, auth: true, status: 400, field: 'jobId' },
      { method: 'POST', path: `/jobs/${'a'.repeat(1000)}/execution-reports`, name: 'a 1,000-character id', body: { status: 'running' }, auth: true, status: 400, field: 'jobId' },

      ...commonBadInputs<Fixture>({ method: 'GET', path: (f) => `/jobs/${f.jobId}`, label: '/jobs/:jobId', auth: true }),
      { method: 'GET', path: '/jobs/not-a-uuid', name: 'a non-UUID id', auth: true, status: 400, field: 'jobId' },
      { method: 'GET', path: '/jobs/%E0%A4%A', name: 'malformed percent-encoding', auth: true, status: 400 },

      ...commonBadInputs<Fixture>({ method: 'GET', path: (f) => `/jobs/${f.jobId}/payload`, label: '/jobs/:jobId/payload', auth: true }),
      { method: 'GET', path: '/jobs/not-a-uuid/payload', name: 'a non-UUID id', auth: true, status: 400, field: 'jobId' },

      ...commonBadInputs<Fixture>({ method: 'GET', path: (f) => `/jobs/${f.jobId}/history`, label: '/jobs/:jobId/history', auth: true }),
      { method: 'GET', path: '/jobs/not-a-uuid/history', name: 'a non-UUID id', auth: true, status: 400, field: 'jobId' },

      ...commonBadInputs<Fixture>({ method: 'GET', path: '/jobs', auth: true }),
      { method: 'GET', path: '/jobs?status=done', name: 'an unknown status', auth: true, status: 400, field: 'status' },
      { method: 'GET', path: '/jobs?type=a%2Fb', name: 'a type with a slash', auth: true, status: 400, field: 'type' },
      { method: 'GET', path: '/jobs?limit=0', name: 'limit=0', auth: true, status: 400, field: 'limit' },
      { method: 'GET', path: '/jobs?limit=-5', name: 'limit=-5', auth: true, status: 400, field: 'limit' },
      { method: 'GET', path: '/jobs?limit=abc', name: 'limit=abc', auth: true, status: 400, field: 'limit' },
      { method: 'GET', path: '/jobs?limit=1001', name: 'limit=1001', auth: true, status: 400, field: 'limit' },
      { method: 'GET', path: '/jobs?limit=1.5', name: 'limit=1.5', auth: true, status: 400, field: 'limit' },

      ...commonBadInputs<Fixture>({ method: 'GET', path: '/jobs/pools/render', auth: true }),
      { method: 'GET', path: `/jobs/pools/${'x'.repeat(65)}`, name: 'a 65-character type', auth: true, status: 400, field: 'type' },
      { method: 'GET', path: '/jobs/pools/a%20b', name: 'a type with a space', auth: true, status: 400, field: 'type' },
      { method: 'GET', path: '/jobs/pools/-lead', name: 'a type starting with "-"', auth: true, status: 400, field: 'type' },
    ];
    badInputTable(cases, () => fx);
  });
});
