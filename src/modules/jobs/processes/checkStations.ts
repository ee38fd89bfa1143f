import { command, defineProcess, react, type EventContract, type ProcessDefinition, type ProcessStep } from '../../../kernel/index.js';
import { FailJob, PrepareJob, ValidateJob } from '../commands.js';
import { JobFailed, type Station } from '../contracts.js';
import { JobAccepted, JobPrepared, JobValidated } from '../events.js';

/**
 * The validate and prepare stations: two processes of one shape, made by one factory. Each takes
 * a job on the previous station's event, sends its own command (through the outbox: retried with
 * backoff, resumed after a crash), and is done when the job moves on or fails. Stations never call
 * each other: they meet only in the log, so each could run in a process of its own.
 *
 *   JobAccepted  → validate → JobValidated | JobFailed (refused)
 *   JobValidated → prepare  → JobPrepared   → the schedule station (scheduleStation.ts)
 */

/**
 * Jobs a station works on at once (each job's own steps stay in order): every command the engine
 * finds due in one look (it takes up to 100). Sixteen at a time, a look's commands went out in
 * waves, each waiting for its appends to reach the disk; all at once they meet in a commit or two
 * of the log (bench:jobs 2026-12-01, medians of 3: 246 → 295 jobs/s; at one rate, 110 jobs/s,
 * paced p99 380 → 371 ms).
 */
export const STATION_CONCURRENCY = 100;

interface CheckState {
  jobId: string;
  /** The station has seen the job leave it (or end). */
  done: boolean;
  /** Its command failed for good and it asked for the job to be failed. */
  givingUp: boolean;
}

/**
 * A station whose command failed for good (a refusal, or a transient error that outlived its
 * retries) fails the job with the reason; if even that fails, the instance ends `failed`,
 * visibly, for an operator.
 */
export function giveUp<S extends { jobId: string; givingUp: boolean }>(name: Station, state: S, failure: { command: string; error: string }): ProcessStep<S> {
  if (state.givingUp) return { step: `could not fail the job either: ${failure.error}`, end: 'failed' };
  const reason = `the ${name} station gave up: ${failure.error}`;
  return { state: { ...state, givingUp: true }, step: `gave up: ${failure.error}`, send: [command(FailJob, { jobId: state.jobId, station: name, reason })] };
}

/** A station that takes a job on `from`, sends `work`, and is done when the job moves on to `to` (or fails). */
function checkStation(name: 'validate' | 'prepare', from: EventContract, work: typeof ValidateJob | typeof PrepareJob, to: EventContract): ProcessDefinition<CheckState> {
  const finish = (s: CheckState, step: string): ProcessStep<CheckState> => (s.done ? {} : { state: { ...s, done: true }, step, end: s.givingUp ? 'failed' : 'completed' });
  return defineProcess<CheckState>({
    name: `${name}_station`,
    concurrency: STATION_CONCURRENCY,
    initialState: (id) => ({ jobId: id, done: false, givingUp: false }),
    sends: [work, FailJob],
    reactions: [
      react(from, {
        start: (e) => (e.data as { jobId: string }).jobId,
        decide: (s) => ({ step: name === 'validate' ? 'validating' : 'preparing', send: [command(work, { jobId: s.jobId })] }),
      }),
      react(to, { id: (e) => (e.data as { jobId: string }).jobId, decide: (s) => finish(s, 'passed on') }),
      react(JobFailed, { id: (e) => e.data.jobId, decide: (s, e) => finish(s, `job failed at ${e.data.station}: ${e.data.reason}`) }),
    ],
    onCommandFailed: (s, failure) => giveUp(name, s, failure),
  });
}

export const validateStation = checkStation('validate', JobAccepted, ValidateJob, JobValidated);
export const prepareStation = checkStation('prepare', JobValidated, PrepareJob, JobPrepared);
