import { z } from 'zod';
import { NotFoundError, accepted, isOperator, ok, principalOf, route, wholeNumber, type Caller, type EventData } from '../../kernel/index.js';
import { jobType } from './contracts.js';
import { JOB_STATUSES, JobAccepted } from './events.js';
import { handleJob } from './job.js';
import { poolSize, readPool } from './pool.js';
import { historyEntry, jobHistory, jobHistoryOf } from './views/jobHistory.js';
import { findJob, jobView, listJobs } from './views/jobStatus.js';

const status = z.enum(JOB_STATUSES);
const jobParams = z.object({ jobId: z.uuid() });

/**
 * Who sees which jobs (API.md, "jobs"): operators and `jobs:read` tokens all of them; anyone else
 * (a member, a `jobs:submit` token) the jobs they submitted. Anyone else's job is a 404.
 */
const READERS = ['member', 'scope:jobs:submit', 'scope:jobs:read'] as const;
const seesAll = (caller: Caller) => isOperator(caller) || (caller.kind === 'service' && caller.scopes.includes('jobs:read'));
const sees = (caller: Caller, submittedBy: string | null) => seesAll(caller) || submittedBy === principalOf(caller);

/** The job's status row, when the caller may see it. */
async function visibleJob(ctx: Parameters<typeof findJob>[0], jobId: string, caller: Caller) {
  const found = await findJob(ctx, jobId);
  if (!found || !sees(caller, found.submittedBy)) throw new NotFoundError(`no job ${jobId}`);
  return found;
}

export const submitJobRoute = route.post('', {
  summary: 'accept a job (a member, or a service token with jobs:submit): it then passes the stations validate → prepare → schedule before the end system executes it',
  access: ['member', 'scope:jobs:submit'],
  body: z.object({
    type: jobType,
    // Any JSON value: the validation station, not the intake, refuses a payload that is not an object or too large.
    payload: z.unknown().refine((value) => value !== undefined, 'payload is required (any JSON value; the validation station wants an object of at most 64 KiB)'),
  }),
  responses: { 202: z.object({ jobId: z.uuid() }) },
  async handle({ ctx, body, caller }) {
    const jobId = ctx.newId();
    const { result } = await handleJob(ctx.events, { kind: 'accept', jobId, type: body.type, submittedBy: principalOf(caller), payload: body.payload });
    return accepted({ jobId }, { position: result!.position, revision: 0, headers: { Location: `/jobs/${jobId}` } });
  },
});

export const listJobsRoute = route.get('', {
  summary: 'jobs in the order they arrived, optionally of one status and/or type: yours, or all for operators and jobs:read tokens',
  access: READERS,
  query: z.object({ status: status.optional(), type: jobType.optional(), limit: wholeNumber(1, 1000).default(100) }),
  responses: { 200: z.object({ jobs: z.array(jobView) }) },
  async handle({ ctx, query, caller }) {
    return ok({ jobs: await listJobs(ctx, { ...query, ...(seesAll(caller) ? {} : { submittedBy: principalOf(caller) }) }) });
  },
});

// Before `/:jobId…`: `/pools/history` is the pool of type "history", not the history of job "pools".
export const poolRoute = route.get('/pools/:type', {
  summary: 'the pool of slots of one job type: its size, the slots reserved, and the jobs waiting for one',
  access: ['member', 'scope:jobs:submit', 'scope:jobs:read', 'scope:jobs:report'],
  params: z.object({ type: jobType }),
  responses: { 200: z.object({ type: jobType, size: z.number().int(), reserved: z.number().int(), waiting: z.number().int() }) },
  async handle({ ctx, params }) {
    // Read from the pool's stream, its truth: always current.
    const { reserved, waiting } = await readPool(ctx, params.type);
    return ok({ type: params.type, size: poolSize(ctx), reserved, waiting });
  },
});

export const getJobRoute = route.get('/:jobId', {
  summary: 'a job’s current status and the station that set it (and the reason, when it failed); 404 for a job you may not see',
  access: READERS,
  params: jobParams,
  responses: { 200: jobView },
  async handle({ ctx, params, caller }) {
    const found = await visibleJob(ctx, params.jobId, caller);
    return ok(found.view, { revision: found.revision });
  },
});

export const jobPayloadRoute = route.get('/:jobId/payload', {
  summary: 'what the end system executes: the job’s type and payload as accepted, read from the job’s own stream; 404 for a job you may not see',
  access: READERS,
  params: jobParams,
  responses: { 200: z.object({ jobId: z.uuid(), type: jobType, payload: z.unknown() }) },
  async handle({ ctx, params, caller }) {
    // The write model is the truth and the payload is in its first event: no projection copies it.
    const [first] = await ctx.events.readStream(ctx.events.stream('job', params.jobId), { maxCount: 1 });
    const accepted = first?.type === JobAccepted.type ? (first.data as EventData<typeof JobAccepted>) : undefined;
    if (!accepted || !sees(caller, accepted.submittedBy)) throw new NotFoundError(`no job ${params.jobId}`);
    const { type, payload } = accepted;
    return ok({ jobId: params.jobId, type, payload });
  },
});

export const jobHistoryRoute = route.get('/:jobId/history', {
  summary: 'every status the job has had, oldest first (insert-only); 404 for a job you may not see',
  access: READERS,
  params: jobParams,
  responses: { 200: z.object({ history: z.array(historyEntry) }) },
  async handle({ ctx, params, caller }) {
    await visibleJob(ctx, params.jobId, caller);
    let history = await jobHistoryOf(ctx, params.jobId);
    if (history.length === 0 && (await ctx.catchUp(1000, jobHistory.name))) history = await jobHistoryOf(ctx, params.jobId);
    if (history.length === 0) throw new NotFoundError(`no job ${params.jobId}`);
    return ok({ history });
  },
});

export const executionReportRoute = route.post('/:jobId/execution-reports', {
  summary:
    'the end system reports execution: running, then succeeded or failed (a failure releases the slot and ends the job compensated). ' +
    '202 when the report moves the job; 200 (nothing appended) when it repeats one already taken; 409 when it contradicts the job’s status. ' +
    'An operator or a service token with jobs:report; If-Match: the job’s revision',
  access: ['operator', 'scope:jobs:report'],
  params: jobParams,
  body: z.object({ status: z.enum(['running', 'succeeded', 'failed']), detail: z.string().max(2000).optional() }),
  responses: { 200: z.object({ jobId: z.uuid(), status }), 202: z.object({ jobId: z.uuid(), status }) },
  async handle({ ctx, params, body, ifMatch }) {
    const decision = await handleJob(ctx.events, { kind: 'report', jobId: params.jobId, status: body.status, detail: body.detail }, { ifMatch });
    if (!decision.result) return ok({ jobId: params.jobId, status: decision.state.status }, { revision: decision.revision });
    return accepted({ jobId: params.jobId, status: body.status }, { position: decision.result.position, revision: decision.result.nextRevision });
  },
});

/** In this order: express matches routes in the order they are mounted. */
export const routes = [submitJobRoute, listJobsRoute, poolRoute, getJobRoute, jobPayloadRoute, jobHistoryRoute, executionReportRoute];
