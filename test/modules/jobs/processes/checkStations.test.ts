import { command, input, processSpec } from '../../../../src/kernel/host.js';
import { FailJob, PrepareJob, ValidateJob } from '../../../../src/modules/jobs/commands.js';
import { JobFailed } from '../../../../src/modules/jobs/contracts.js';
import { JobAccepted, JobPrepared, JobValidated } from '../../../../src/modules/jobs/events.js';
import { prepareStation, validateStation } from '../../../../src/modules/jobs/processes/checkStations.js';

const jobId = '7e6d5c4b-3a29-4817-b6a5-948372615040';
const type = 'render';
const accepted = input.event(JobAccepted, { jobId, type, submittedBy: 'service:0a1b2c3d', payload: { n: 1 } });
const validated = input.event(JobValidated, { jobId, type });
const prepared = input.event(JobPrepared, { jobId, type, payloadBytes: 7, digest: 'sha256:x' });

describe('jobs: the validate station (spec)', () => {
  const spec = processSpec(validateStation, jobId);

  it('takes an accepted job and asks for its validation', () => {
    spec.given([]).when(accepted).then({ send: [command(ValidateJob, { jobId })], status: 'running', step: 'validating' });
  });

  it('is done when the job moves on, or fails', () => {
    spec.given([accepted]).when(validated).then({ send: [], status: 'completed', step: 'passed on' });
    spec.given([accepted]).when(input.event(JobFailed, { jobId, type, station: 'validate', reason: 'not an object' })).then({ status: 'completed', step: 'job failed at validate: not an object' });
  });

  it('gives up by failing the job with the reason; if that fails too, ends failed for an operator', () => {
    const refused = input.commandFailed(ValidateJob, 'refused');
    spec.given([accepted]).when(refused).then({ send: [command(FailJob, { jobId, station: 'validate', reason: 'the validate station gave up: refused' })], state: { givingUp: true } });
    spec.given([accepted, refused]).when(input.commandFailed(FailJob, 'down')).then({ send: [], status: 'failed', step: 'could not fail the job either: down' });
    spec.given([accepted, refused]).when(input.event(JobFailed, { jobId, type, station: 'validate', reason: 'refused' })).then({ status: 'failed' });
  });
});

describe('jobs: the prepare station (spec)', () => {
  const spec = processSpec(prepareStation, jobId);

  it('takes a validated job, asks for its preparation, and is done when the job is prepared', () => {
    spec.given([]).when(validated).then({ send: [command(PrepareJob, { jobId })], step: 'preparing' });
    spec.given([validated]).when(prepared).then({ status: 'completed', step: 'passed on' });
  });

  it('a repeated event once done changes nothing', () => {
    spec.given([validated, prepared]).when(prepared).then({ send: [], status: 'completed', step: 'passed on' });
  });
});
