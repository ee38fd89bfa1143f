import { expect } from 'chai';
import { ConflictError, NotFoundError, type EventOf } from '../../../src/kernel/host.js';
import { JobCompensated, JobFailed, JobRunning, JobScheduled, JobSucceeded } from '../../../src/modules/jobs/contracts.js';
import { JobAccepted, JobPrepared, JobValidated } from '../../../src/modules/jobs/events.js';
import { MAX_PAYLOAD_BYTES, job, refusal, type JobCommand } from '../../../src/modules/jobs/job.js';
import { deciderSpec as spec } from '../../../src/kernel/host.js';

const jobId = 'b0000000-0000-4000-8000-000000000001';
const type = 'render';
const submittedBy = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const accepted = (payload: unknown = { frames: 3 }): EventOf => ({ type: JobAccepted.type, data: { jobId, type, submittedBy, payload } });
const validated = { type: JobValidated.type, data: { jobId, type } };
const prepared = { type: JobPrepared.type, data: { jobId, type, payloadBytes: 12, digest: 'sha256:x' } };
const scheduled = { type: JobScheduled.type, data: { jobId, type } };
const running = { type: JobRunning.type, data: { jobId, type } };
const succeeded = { type: JobSucceeded.type, data: { jobId, type } };
const failedAt = (station: string, reason = 'boom') => ({ type: JobFailed.type, data: { jobId, type, station, reason } });
const compensated = { type: JobCompensated.type, data: { jobId, type } };

/** The events of a job up to a status. */
const upTo = {
  accepted: [accepted()],
  validated: [accepted(), validated],
  prepared: [accepted(), validated, prepared],
  scheduled: [accepted(), validated, prepared, scheduled],
  running: [accepted(), validated, prepared, scheduled, running],
  succeeded: [accepted(), validated, prepared, scheduled, running, succeeded],
  failedAtValidate: [accepted([]), failedAt('validate')],
  failedInExecution: [accepted(), validated, prepared, scheduled, running, failedAt('execution')],
  compensated: [accepted(), validated, prepared, scheduled, running, failedAt('execution'), compensated],
  compensatedAtSchedule: [accepted(), validated, prepared, failedAt('schedule'), compensated],
};

const report = (status: 'running' | 'succeeded' | 'failed', detail?: string): JobCommand => ({ kind: 'report', jobId, status, ...(detail !== undefined ? { detail } : {}) });

describe('jobs: a job', () => {
  describe('intake and stations', () => {
    it('is accepted once', () => {
      spec(job).given([]).when({ kind: 'accept', jobId, type, submittedBy, payload: { frames: 3 } }).then([accepted()]);
      spec(job).given(upTo.accepted).when({ kind: 'accept', jobId, type, submittedBy, payload: {} }).thenThrows(ConflictError, /exists/);
    });

    it('validation passes an object and refuses anything else, with a reason', () => {
      spec(job).given(upTo.accepted).when({ kind: 'validate', jobId }).then([validated]);
      for (const [payload, kind] of [[[1, 2], 'an array'], ['text', 'a string'], [42, 'a number'], [true, 'a boolean'], [null, 'null']] as const) {
        spec(job)
          .given([accepted(payload)])
          .when({ kind: 'validate', jobId })
          .then([failedAt('validate', `the payload must be a JSON object, not ${kind}`)]);
      }
    });

    it('validation refuses a payload larger than 64 KiB (the bytes of its JSON) and passes one of exactly 64 KiB', () => {
      const sized = (bytes: number) => ({ x: 'a'.repeat(bytes - '{"x":""}'.length) });
      expect(Buffer.byteLength(JSON.stringify(sized(MAX_PAYLOAD_BYTES)))).to.equal(65_536);
      spec(job).given([accepted(sized(MAX_PAYLOAD_BYTES))]).when({ kind: 'validate', jobId }).then([validated]);
      spec(job)
        .given([accepted(sized(MAX_PAYLOAD_BYTES + 1))])
        .when({ kind: 'validate', jobId })
        .then([failedAt('validate', 'the payload is 65537 bytes; the limit is 65536 (64 KiB)')]);
      // Multi-byte characters count as their UTF-8 bytes.
      expect(refusal({ x: 'é'.repeat(40_000) })).to.match(/80008 bytes/);
    });

    it('preparation records the payload’s size and digest', () => {
      const digest = 'sha256:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862'; // sha256 of {"a":1}
      spec(job)
        .given([accepted({ a: 1 }), validated])
        .when({ kind: 'prepare', jobId })
        .then([{ type: JobPrepared.type, data: { jobId, type, payloadBytes: 7, digest } }]);
    });

    it('scheduling follows preparation', () => {
      spec(job).given(upTo.prepared).when({ kind: 'schedule', jobId }).then([scheduled]);
    });

    it('a station’s command for a job already past it decides nothing (a redelivery is a no-op)', () => {
      spec(job).given(upTo.validated).when({ kind: 'validate', jobId }).then([]);
      spec(job).given(upTo.prepared).when({ kind: 'prepare', jobId }).then([]);
      spec(job).given(upTo.scheduled).when({ kind: 'schedule', jobId }).then([]);
      spec(job).given(upTo.failedAtValidate).when({ kind: 'validate', jobId }).then([]);
      spec(job).given(upTo.accepted).when({ kind: 'schedule', jobId }).then([]);
    });

    it('a station that gives up fails the job at that station, unless it has ended', () => {
      spec(job).given(upTo.validated).when({ kind: 'fail', jobId, station: 'prepare', reason: 'gave up' }).then([failedAt('prepare', 'gave up')]);
      spec(job).given(upTo.succeeded).when({ kind: 'fail', jobId, station: 'schedule', reason: 'late' }).then([]);
      spec(job).given(upTo.failedAtValidate).when({ kind: 'fail', jobId, station: 'validate', reason: 'again' }).then([]);
    });

    it('compensation ends a job that failed at or after scheduling, once; one refused before it has nothing to compensate', () => {
      spec(job).given(upTo.failedInExecution).when({ kind: 'compensate', jobId }).then([compensated]);
      spec(job).given([...upTo.prepared, failedAt('schedule')]).when({ kind: 'compensate', jobId }).then([compensated]);
      spec(job).given(upTo.compensated).when({ kind: 'compensate', jobId }).then([]);
      spec(job).given(upTo.failedAtValidate).when({ kind: 'compensate', jobId }).then([]);
      spec(job).given(upTo.running).when({ kind: 'compensate', jobId }).then([]);
    });

    it('commands for an unknown job are refused', () => {
      spec(job).given([]).when({ kind: 'validate', jobId }).thenThrows(NotFoundError, /no job/);
      spec(job).given([]).when(report('running')).thenThrows(NotFoundError, /no job/);
    });
  });

  describe('execution reports from the end system', () => {
    it('scheduled → running → succeeded', () => {
      spec(job).given(upTo.scheduled).when(report('running', 'on node 7')).then([{ type: JobRunning.type, data: { jobId, type, detail: 'on node 7' } }]);
      spec(job).given(upTo.running).when(report('succeeded')).then([succeeded]);
    });

    it('a failure after scheduling fails the job at execution with the detail as reason', () => {
      spec(job).given(upTo.running).when(report('failed', 'disk full')).then([failedAt('execution', 'disk full')]);
      spec(job).given(upTo.running).when(report('failed')).then([failedAt('execution', 'the end system reported a failure')]);
    });

    it('out of order: succeeded or failed straight after scheduled is taken (the running report may be lost or late)', () => {
      spec(job).given(upTo.scheduled).when(report('succeeded')).then([succeeded]);
      spec(job).given(upTo.scheduled).when(report('failed', 'x')).then([failedAt('execution', 'x')]);
    });

    it('a repeated report is a no-op', () => {
      spec(job).given(upTo.running).when(report('running')).then([]);
      spec(job).given(upTo.succeeded).when(report('succeeded')).then([]);
      spec(job).given(upTo.failedInExecution).when(report('failed')).then([]);
      spec(job).given(upTo.compensated).when(report('failed', 'again')).then([]);
    });

    it('a report that contradicts the status is a conflict', () => {
      const conflicts: [keyof typeof upTo, 'running' | 'succeeded' | 'failed', RegExp][] = [
        ['accepted', 'running', /accepted and not yet scheduled/],
        ['validated', 'succeeded', /validated and not yet scheduled/],
        ['prepared', 'failed', /prepared and not yet scheduled/],
        ['failedAtValidate', 'failed', /already ended failed \(at validate\)/],
        ['failedAtValidate', 'running', /already ended failed/],
        ['succeeded', 'running', /already ended succeeded/],
        ['succeeded', 'failed', /already ended succeeded/],
        ['failedInExecution', 'succeeded', /already ended failed \(at execution\)/],
        ['compensated', 'succeeded', /already ended compensated/],
        ['compensated', 'running', /already ended compensated/],
        ['compensatedAtSchedule', 'failed', /already ended compensated \(at schedule\)/],
      ];
      for (const [given, status, message] of conflicts) spec(job).given(upTo[given]).when(report(status)).thenThrows(ConflictError, message);
    });
  });
});
