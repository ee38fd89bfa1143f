import { command, input, processSpec } from '../../../../src/kernel/host.js';
import { CompensateJob, FailJob, ReleaseSlot, ReserveSlot, ScheduleJob } from '../../../../src/modules/jobs/commands.js';
import { JobFailed, JobScheduled, JobSucceeded } from '../../../../src/modules/jobs/contracts.js';
import { JobPrepared, SlotReserved, SlotWaitStarted } from '../../../../src/modules/jobs/events.js';
import { scheduleStation } from '../../../../src/modules/jobs/processes/scheduleStation.js';

const jobId = '7e6d5c4b-3a29-4817-b6a5-948372615040';
const type = 'render';
const spec = processSpec(scheduleStation, jobId);
const prepared = input.event(JobPrepared, { jobId, type, payloadBytes: 7, digest: 'sha256:x' });
const slotReserved = input.event(SlotReserved, { jobId, type });
const scheduled = input.event(JobScheduled, { jobId, type });

describe('jobs: the schedule station (spec)', () => {
  it('asks the pool for a slot, remembering its release as the undo', () => {
    spec.given([]).when(prepared).then({ send: [command(ReserveSlot, { jobId, type })], state: { phase: 'reserving', type } });
  });

  it('a full pool: waits in line; the slot handed over later schedules the job', () => {
    const waiting = input.event(SlotWaitStarted, { jobId, type });
    spec.given([prepared]).when(waiting).then({ send: [], state: { phase: 'waiting' }, step: 'waiting for a free slot' });
    spec.given([prepared, waiting]).when(slotReserved).then({ send: [command(ScheduleJob, { jobId })], state: { phase: 'reserved' } });
  });

  it('holds the slot while the job runs and releases it when the job succeeds', () => {
    spec.given([prepared, slotReserved]).when(scheduled).then({ send: [], status: 'running', step: 'scheduled: holds its slot until it ends' });
    spec.given([prepared, slotReserved, scheduled]).when(input.event(JobSucceeded, { jobId, type })).then({ send: [command(ReleaseSlot, { jobId, type })], status: 'completed' });
  });

  it('a failure after scheduling compensates: the slot is released (the undo), then the job is marked compensated', () => {
    const failed = input.event(JobFailed, { jobId, type, station: 'execution', reason: 'out of memory' });
    spec.given([prepared, slotReserved, scheduled]).when(failed).then({ send: [command(ReleaseSlot, { jobId, type })], status: 'compensating' });
    spec.given([prepared, slotReserved, scheduled, failed]).when(input.undoDelivered()).then({ send: [command(CompensateJob, { jobId })], status: 'compensated' });
  });

  it('giving up on its own command fails the job; a failed compensation ends the instance failed', () => {
    spec.given([prepared]).when(input.commandFailed(ReserveSlot, 'busy')).then({ send: [command(FailJob, { jobId, station: 'schedule', reason: 'the schedule station gave up: busy' })] });
    const failed = input.event(JobFailed, { jobId, type, station: 'execution', reason: 'x' });
    spec.given([prepared, slotReserved, scheduled, failed]).when(input.commandFailed(ReleaseSlot, 'down')).then({ status: 'failed', step: 'compensation failed: down' });
  });
});
