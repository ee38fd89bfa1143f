import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, NotFoundError, defineEvent, newEvent, type Decider, type ModuleEvent, type RecordedEvent } from '../../kernel/index.js';
import { JobCompensated, JobFailed, JobRunning, JobScheduled, JobSucceeded, jobType, type Station } from './contracts.js';

/** The stations' own events on a job's stream (`jobs.job-<jobId>`); private to the module. */
export const JobAccepted = defineEvent('jobs.JobAccepted', 1, z.object({ jobId: z.uuid(), type: jobType, payload: z.unknown() }));
export const JobValidated = defineEvent('jobs.JobValidated', 1, z.object({ jobId: z.uuid(), type: jobType }));
export const JobPrepared = defineEvent(
  'jobs.JobPrepared',
  1,
  z.object({ jobId: z.uuid(), type: jobType, payloadBytes: z.number().int().min(0), digest: z.string() }),
);

export const privateJobEvents = [JobAccepted, JobValidated, JobPrepared];

/** Every event of a job's stream, in the order a job meets them. */
export const jobEvents = [JobAccepted, JobValidated, JobPrepared, JobScheduled, JobRunning, JobSucceeded, JobFailed, JobCompensated];

export const JOB_STATUSES = ['accepted', 'validated', 'prepared', 'scheduled', 'running', 'succeeded', 'failed', 'compensated'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export type ReportStatus = 'running' | 'succeeded' | 'failed';

/** The validation station refuses payloads larger than this (bytes of their JSON, UTF-8). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/** What one job event does to the job's status: the one mapping the stations, views and history share. */
export function transition(event: RecordedEvent<any>): { status: JobStatus; station: Station; reason?: string } {
  switch (event.type) {
    case JobAccepted.type:
      return { status: 'accepted', station: 'intake' };
    case JobValidated.type:
      return { status: 'validated', station: 'validate' };
    case JobPrepared.type:
      return { status: 'prepared', station: 'prepare' };
    case JobScheduled.type:
      return { status: 'scheduled', station: 'schedule' };
    case JobRunning.type:
      return { status: 'running', station: 'execution' };
    case JobSucceeded.type:
      return { status: 'succeeded', station: 'execution' };
    case JobFailed.type:
      return { status: 'failed', station: event.data.station, reason: event.data.reason };
    case JobCompensated.type:
      // Compensation undoes the schedule station's reservation.
      return { status: 'compensated', station: 'schedule' };
    default:
      throw new TypeError(`${event.type} is not a job event`);
  }
}

export interface Job {
  status: JobStatus | null;
  type: string;
  payload: unknown;
  /** The station the job failed at, if it failed. */
  failedAt: Station | null;
}

export type JobCommand =
  | { kind: 'accept'; jobId: string; type: string; payload: unknown }
  | { kind: 'validate'; jobId: string }
  | { kind: 'prepare'; jobId: string }
  | { kind: 'schedule'; jobId: string }
  | { kind: 'report'; jobId: string; status: ReportStatus; detail?: string }
  | { kind: 'fail'; jobId: string; station: Station; reason: string }
  | { kind: 'compensate'; jobId: string };

const ENDED: readonly (JobStatus | null)[] = ['succeeded', 'failed', 'compensated'];

/** Why the validation station refuses a payload, or null when it accepts it. */
export function refusal(payload: unknown): string | null {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    const kind = payload === null ? 'null' : Array.isArray(payload) ? 'an array' : `a ${typeof payload}`;
    return `the payload must be a JSON object, not ${kind}`;
  }
  const bytes = Buffer.byteLength(JSON.stringify(payload));
  if (bytes > MAX_PAYLOAD_BYTES) return `the payload is ${bytes} bytes; the limit is ${MAX_PAYLOAD_BYTES} (64 KiB)`;
  return null;
}

/**
 * The end system's reports, by the job's current status. A report that moves the job forward is
 * taken; the same report again is a no-op; anything else contradicts what is known (409).
 * `succeeded` or `failed` straight after `scheduled` is taken: the `running` report may be lost
 * or overtaken, and refusing the outcome would keep the job's slot reserved for ever.
 */
function report(state: Job, command: Extract<JobCommand, { kind: 'report' }>): ModuleEvent[] {
  const { jobId, status, detail } = command;
  const current = state.status!;
  const executionFailed = (current === 'failed' || current === 'compensated') && state.failedAt === 'execution';
  const repeated = status === 'failed' ? executionFailed : current === status;
  if (repeated) return [];
  if (current !== 'scheduled' && current !== 'running') {
    const why = ENDED.includes(current)
      ? `it has already ended ${current}${state.failedAt ? ` (at ${state.failedAt})` : ''}`
      : `it is ${current} and not yet scheduled for execution`;
    throw new ConflictError(`job ${jobId} cannot take a "${status}" report: ${why}`);
  }
  const data = { jobId, type: state.type, ...(detail !== undefined ? { detail } : {}) };
  if (status === 'running') return [newEvent(JobRunning, data)];
  if (status === 'succeeded') return [newEvent(JobSucceeded, data)];
  return [newEvent(JobFailed, { jobId, type: state.type, station: 'execution', reason: detail ?? 'the end system reported a failure' })];
}

/**
 * A job's rules. The stations' commands are idempotent: a command that finds the job past its
 * station (a redelivery, a replay) decides nothing.
 */
export const job: Decider<Job, JobCommand> = {
  initialState: () => ({ status: null, type: '', payload: undefined, failedAt: null }),
  evolve(state, event) {
    const next: Job = { ...state, status: transition(event).status };
    if (event.type === JobAccepted.type) Object.assign(next, { type: event.data.type, payload: event.data.payload });
    if (event.type === JobFailed.type) next.failedAt = event.data.station;
    // The payload is needed until it is prepared; no need to carry it further.
    if (event.type === JobPrepared.type) next.payload = undefined;
    return next;
  },
  decide(command, state) {
    const { jobId } = command;
    if (command.kind === 'accept') {
      if (state.status) throw new ConflictError(`job ${jobId} exists`);
      return [newEvent(JobAccepted, { jobId, type: command.type, payload: command.payload })];
    }
    if (!state.status) throw new NotFoundError(`no job ${jobId}`);
    const { type } = state;
    switch (command.kind) {
      case 'validate': {
        if (state.status !== 'accepted') return [];
        const reason = refusal(state.payload);
        return [reason ? newEvent(JobFailed, { jobId, type, station: 'validate', reason }) : newEvent(JobValidated, { jobId, type })];
      }
      case 'prepare': {
        if (state.status !== 'validated') return [];
        const json = JSON.stringify(state.payload);
        const digest = `sha256:${createHash('sha256').update(json).digest('hex')}`;
        return [newEvent(JobPrepared, { jobId, type, payloadBytes: Buffer.byteLength(json), digest })];
      }
      case 'schedule':
        return state.status === 'prepared' ? [newEvent(JobScheduled, { jobId, type })] : [];
      case 'report':
        return report(state, command);
      case 'fail':
        return ENDED.includes(state.status) ? [] : [newEvent(JobFailed, { jobId, type, station: command.station, reason: command.reason })];
      case 'compensate': {
        const compensable = state.status === 'failed' && (state.failedAt === 'schedule' || state.failedAt === 'execution');
        return compensable ? [newEvent(JobCompensated, { jobId, type })] : [];
      }
    }
  },
};
