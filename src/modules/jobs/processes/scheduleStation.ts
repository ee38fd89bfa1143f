import { command, defineProcess, react } from '../../../kernel/index.js';
import { CompensateJob, FailJob, ReleaseSlot, ReserveSlot, ScheduleJob } from '../commands.js';
import { JobFailed, JobScheduled, JobSucceeded } from '../contracts.js';
import { JobPrepared, SlotReserved, SlotWaitStarted } from '../events.js';
import { STATION_CONCURRENCY, giveUp } from './checkStations.js';

interface SlotState {
  jobId: string;
  type: string;
  phase: 'reserving' | 'waiting' | 'reserved' | 'scheduled' | 'compensating' | 'done';
  givingUp: boolean;
}

/**
 * The schedule station holds the job's slot for the job's whole execution: it asks the pool
 * (pool.ts) for a slot, remembering the release as the step's undo; it schedules the job when the
 * slot is its own — at once, or when a release hands it over — and gives the slot back when the
 * job ends: after success by a plain release, after a failure by compensation (the undo), which
 * then marks the job `compensated`.
 *
 *   JobPrepared → ReserveSlot → SlotReserved | SlotWaitStarted … SlotReserved → ScheduleJob → JobScheduled
 *   then the end system reports over HTTP: JobRunning, JobSucceeded (→ ReleaseSlot) or JobFailed (→ compensation)
 */
export const scheduleStation = defineProcess<SlotState>({
  name: 'schedule_station',
  concurrency: STATION_CONCURRENCY,
  initialState: (id) => ({ jobId: id, type: '', phase: 'reserving', givingUp: false }),
  sends: [ReserveSlot, ScheduleJob, ReleaseSlot, CompensateJob, FailJob],
  reactions: [
    react(JobPrepared, {
      start: (e) => e.data.jobId,
      decide: (s, e) => {
        const data = { jobId: s.jobId, type: e.data.type };
        return { state: { ...s, type: e.data.type }, step: 'reserving a slot', send: [command(ReserveSlot, data)], remember: { step: 'slot', undo: command(ReleaseSlot, data) } };
      },
    }),
    react(SlotWaitStarted, { id: (e) => e.data.jobId, decide: (s) => (s.phase === 'reserving' ? { state: { ...s, phase: 'waiting' }, step: 'waiting for a free slot' } : {}) }),
    react(SlotReserved, {
      id: (e) => e.data.jobId,
      decide: (s) =>
        s.phase === 'reserving' || s.phase === 'waiting' ? { state: { ...s, phase: 'reserved' }, step: 'slot reserved: scheduling', send: [command(ScheduleJob, { jobId: s.jobId })] } : {},
    }),
    react(JobScheduled, {
      id: (e) => e.data.jobId,
      decide: (s) => (s.phase === 'reserved' ? { state: { ...s, phase: 'scheduled' }, step: 'scheduled: holds its slot until it ends' } : {}),
    }),
    react(JobSucceeded, {
      id: (e) => e.data.jobId,
      decide: (s) =>
        s.phase === 'done' || s.phase === 'compensating'
          ? {}
          : { state: { ...s, phase: 'done' }, step: 'succeeded: slot released', send: [command(ReleaseSlot, { jobId: s.jobId, type: s.type })], end: 'completed' },
    }),
    react(JobFailed, {
      id: (e) => e.data.jobId,
      decide: (s, e) => (s.phase === 'done' || s.phase === 'compensating' ? {} : { state: { ...s, phase: 'compensating' }, step: `failed at ${e.data.station}: releasing the slot`, compensate: true }),
    }),
  ],
  onCompensated: (s) => ({ state: { ...s, phase: 'done' }, step: 'compensated: slot released', send: [command(CompensateJob, { jobId: s.jobId })], end: 'compensated' }),
  onCommandFailed: (s, failure) => (s.phase === 'compensating' || s.phase === 'done' ? { step: `compensation failed: ${failure.error}`, end: 'failed' } : giveUp('schedule', s, failure)),
});
