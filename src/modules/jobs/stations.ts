import { z } from 'zod';
import {
  UnavailableError,
  WrongExpectedRevisionError,
  command,
  decideAndAppend,
  defineCommand,
  defineProcess,
  handleCommand,
  react,
  type CommandHandler,
  type CommandMeta,
  type EventContract,
  type ModuleContext,
  type ProcessDefinition,
  type ProcessStep,
} from '../../kernel/index.js';
import { JobFailed, JobScheduled, JobSucceeded, jobType, station, type Station } from './contracts.js';
import { JobAccepted, JobPrepared, JobValidated, job, type JobCommand } from './job.js';
import { SlotReserved, SlotWaitStarted, decidePool, poolSize } from './pool.js';

/**
 * The stations. Each is a process manager that reacts to the previous station's event and asks
 * its own command handler — through the kernel's outbox, so a transient error is retried with
 * backoff and a crash resumes where it stopped — to append the next one. Stations never call
 * each other: they meet only in the log, so each could run in a process of its own.
 *
 *   JobAccepted  → validate → JobValidated | JobFailed (refused)
 *   JobValidated → prepare  → JobPrepared
 *   JobPrepared  → schedule → SlotReserved | SlotWaitStarted (pool stream) … SlotReserved → JobScheduled
 *   then the end system reports over HTTP: JobRunning, JobSucceeded (→ slot released) or
 *   JobFailed (→ compensation: slot released, JobCompensated).
 *
 * Each command handler appends to one stream at most once per delivery and decides nothing when
 * its work is already in the log, so a redelivered command is a no-op.
 */

const jobId = z.object({ jobId: z.uuid() });
const slot = z.object({ jobId: z.uuid(), type: jobType });
export const ValidateJob = defineCommand('jobs.ValidateJob', jobId);
export const PrepareJob = defineCommand('jobs.PrepareJob', jobId);
export const ReserveSlot = defineCommand('jobs.ReserveSlot', slot);
export const ScheduleJob = defineCommand('jobs.ScheduleJob', jobId);
export const ReleaseSlot = defineCommand('jobs.ReleaseSlot', slot);
export const CompensateJob = defineCommand('jobs.CompensateJob', jobId);
export const FailJob = defineCommand('jobs.FailJob', z.object({ jobId: z.uuid(), station, reason: z.string() }));

/** Test and operations hook: runs before a station's command does its work; a throw is that station's error. */
export type StationHook = (station: Station, jobId: string, command: string) => void | Promise<void>;

const MAX_CONFLICTS = 10;

/** Jobs a station works on at once (each job's own steps stay in order). */
const STATION_CONCURRENCY = 16;

/** Decides a command on the job's stream; a concurrent append to it (e.g. an end-system report) is decided again. */
export async function decideJob(ctx: ModuleContext, command: JobCommand, meta: { correlationId?: string; actor?: string } = {}) {
  const stream = ctx.events.stream('job', command.jobId);
  const metadata = { correlationId: meta.correlationId ?? command.jobId, actor: meta.actor };
  try {
    return await decideAndAppend(ctx.events, stream, job, command, { metadata, conflictRetries: MAX_CONFLICTS - 1 });
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) throw new UnavailableError(`job ${command.jobId} is busy: ${MAX_CONFLICTS} conflicting appends in a row`);
    throw error;
  }
}

const metadata = (meta: CommandMeta) => ({ correlationId: meta.correlationId, actor: meta.actor });

export function stationCommands(hook?: StationHook): CommandHandler[] {
  const at = async (s: Station, id: string, c: { type: string }) => hook?.(s, id, c.type);
  return [
    handleCommand(ValidateJob, async (ctx, data, meta) => {
      await at('validate', data.jobId, ValidateJob);
      await decideJob(ctx, { kind: 'validate', jobId: data.jobId }, metadata(meta));
    }),
    handleCommand(PrepareJob, async (ctx, data, meta) => {
      await at('prepare', data.jobId, PrepareJob);
      await decideJob(ctx, { kind: 'prepare', jobId: data.jobId }, metadata(meta));
    }),
    handleCommand(ReserveSlot, async (ctx, data, meta) => {
      await at('schedule', data.jobId, ReserveSlot);
      await decidePool(ctx, { kind: 'reserve', ...data, size: poolSize(ctx) }, metadata(meta));
    }),
    handleCommand(ScheduleJob, async (ctx, data, meta) => {
      await at('schedule', data.jobId, ScheduleJob);
      await decideJob(ctx, { kind: 'schedule', jobId: data.jobId }, metadata(meta));
    }),
    handleCommand(ReleaseSlot, async (ctx, data, meta) => {
      await decidePool(ctx, { kind: 'release', ...data, size: poolSize(ctx) }, metadata(meta));
    }),
    handleCommand(CompensateJob, async (ctx, data, meta) => {
      await decideJob(ctx, { kind: 'compensate', jobId: data.jobId }, metadata(meta));
    }),
    handleCommand(FailJob, async (ctx, data, meta) => {
      await decideJob(ctx, { kind: 'fail', ...data }, metadata(meta));
    }),
  ];
}

interface StationState {
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
function giveUp<S extends { jobId: string; givingUp: boolean }>(name: Station, state: S, failure: { command: string; error: string }): ProcessStep<S> {
  if (state.givingUp) return { step: `could not fail the job either: ${failure.error}`, end: 'failed' };
  const reason = `the ${name} station gave up: ${failure.error}`;
  return { state: { ...state, givingUp: true }, step: `gave up: ${failure.error}`, send: [command(FailJob, { jobId: state.jobId, station: name, reason })] };
}

/** A station that takes a job on `from`, sends `work`, and is done when the job moves on to `to` (or fails). */
function simpleStation(name: 'validate' | 'prepare', from: EventContract, work: typeof ValidateJob | typeof PrepareJob, to: EventContract): ProcessDefinition<StationState> {
  const finish = (step: string) => (s: StationState): ProcessStep<StationState> => (s.done ? {} : { state: { ...s, done: true }, step, end: s.givingUp ? 'failed' : 'completed' });
  return defineProcess<StationState>({
    name: `${name}_station`,
    concurrency: STATION_CONCURRENCY,
    initialState: (id) => ({ jobId: id, done: false, givingUp: false }),
    sends: [work, FailJob],
    reactions: [
      react(from, { start: (e) => (e.data as { jobId: string }).jobId }, (s) => ({ step: name === 'validate' ? 'validating' : 'preparing', send: [command(work, { jobId: s.jobId })] })),
      react(to, { id: (e) => (e.data as { jobId: string }).jobId }, finish('passed on')),
      react(JobFailed, { id: (e) => e.data.jobId }, (s, e) => finish(`job failed at ${e.data.station}: ${e.data.reason}`)(s)),
    ],
    onCommandFailed: (s, failure) => giveUp(name, s, failure),
  });
}

export const validateStation = simpleStation('validate', JobAccepted, ValidateJob, JobValidated);
export const prepareStation = simpleStation('prepare', JobValidated, PrepareJob, JobPrepared);

interface SlotState {
  jobId: string;
  type: string;
  phase: 'reserving' | 'waiting' | 'reserved' | 'scheduled' | 'compensating' | 'done';
  givingUp: boolean;
}

/**
 * The schedule station holds the job's slot for the job's whole execution: it asks the pool for
 * a slot (remembering the release as the step's undo), schedules the job when the slot is its
 * own — at once, or when a release hands it over — and gives the slot back when the job ends:
 * after success by a plain release, after a failure by compensation (the undo), which then marks
 * the job `compensated`.
 */
export const scheduleStation = defineProcess<SlotState>({
  name: 'schedule_station',
  concurrency: STATION_CONCURRENCY,
  initialState: (id) => ({ jobId: id, type: '', phase: 'reserving', givingUp: false }),
  sends: [ReserveSlot, ScheduleJob, ReleaseSlot, CompensateJob, FailJob],
  reactions: [
    react(JobPrepared, { start: (e) => e.data.jobId }, (s, e) => {
      const data = { jobId: s.jobId, type: e.data.type };
      return {
        state: { ...s, type: e.data.type },
        step: 'reserving a slot',
        send: [command(ReserveSlot, data)],
        remember: { step: 'slot', undo: command(ReleaseSlot, data) },
      };
    }),
    react(SlotWaitStarted, { id: (e) => e.data.jobId }, (s) => (s.phase === 'reserving' ? { state: { ...s, phase: 'waiting' }, step: 'waiting for a free slot' } : {})),
    react(SlotReserved, { id: (e) => e.data.jobId }, (s) =>
      s.phase === 'reserving' || s.phase === 'waiting'
        ? { state: { ...s, phase: 'reserved' }, step: 'slot reserved: scheduling', send: [command(ScheduleJob, { jobId: s.jobId })] }
        : {},
    ),
    react(JobScheduled, { id: (e) => e.data.jobId }, (s) => (s.phase === 'reserved' ? { state: { ...s, phase: 'scheduled' }, step: 'scheduled: holds its slot until it ends' } : {})),
    react(JobSucceeded, { id: (e) => e.data.jobId }, (s) =>
      s.phase === 'done' || s.phase === 'compensating'
        ? {}
        : { state: { ...s, phase: 'done' }, step: 'succeeded: slot released', send: [command(ReleaseSlot, { jobId: s.jobId, type: s.type })], end: 'completed' },
    ),
    react(JobFailed, { id: (e) => e.data.jobId }, (s, e) =>
      s.phase === 'done' || s.phase === 'compensating' ? {} : { state: { ...s, phase: 'compensating' }, step: `failed at ${e.data.station}: releasing the slot`, compensate: true },
    ),
  ],
  onCompensated: (s) => ({ state: { ...s, phase: 'done' }, step: 'compensated: slot released', send: [command(CompensateJob, { jobId: s.jobId })], end: 'compensated' }),
  onCommandFailed: (s, failure) =>
    s.phase === 'compensating' || s.phase === 'done' ? { step: `compensation failed: ${failure.error}`, end: 'failed' } : giveUp('schedule', s, failure),
});

export const stations = { validate: validateStation, prepare: prepareStation, schedule: scheduleStation };
