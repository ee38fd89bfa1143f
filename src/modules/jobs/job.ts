import { createHash } from 'node:crypto';
import { ConflictError, NotFoundError, UnavailableError, WrongExpectedRevisionError, decideAndAppend, newEvent, type DecideOptions, type Decider, type EventOf, type ModuleEvents } from '../../kernel/index.js';
import { JobCompensated, JobFailed, JobRunning, JobScheduled, JobSucceeded, type Station } from './contracts.js';
import { JobAccepted, JobPrepared, JobValidated, transition, type JobEvent, type JobStatus } from './events.js';

export type ReportStatus = 'running' | 'succeeded' | 'failed';

/** The validation station refuses payloads larger than this (bytes of their JSON, UTF-8). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

export interface Job {
  status: JobStatus | null;
  type: string;
  payload: unknown;
  /** The station the job failed at, if it failed. */
  failedAt: Station | null;
}

export type JobCommand =
  | { kind: 'accept'; jobId: string; type: string; submittedBy: string; payload: unknown }
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
function report(state: Job, command: Extract<JobCommand, { kind: 'report' }>): EventOf[] {
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
export const job: Decider<Job, JobCommand, JobEvent> = {
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
      return [newEvent(JobAccepted, { jobId, type: command.type, submittedBy: command.submittedBy, payload: command.payload })];
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

const MAX_CONFLICTS = 10;

/** Decides a command on the job's stream; a concurrent append to it (e.g. an end-system report) is decided again (a stale If-Match then fails, 412). */
export async function handleJob(events: ModuleEvents, command: JobCommand, options: Pick<DecideOptions<Job>, 'ifMatch'> = {}) {
  try {
    // An accepted job's id was made for it: its stream is not read first (a trip per intake saved).
    return await decideAndAppend(events, events.stream('job', command.jobId), job, command, { conflictRetries: MAX_CONFLICTS - 1, newStream: command.kind === 'accept', ...options });
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) throw new UnavailableError(`job ${command.jobId} is busy: ${MAX_CONFLICTS} conflicting appends in a row`);
    throw error;
  }
}
