import { z } from 'zod';
import { defineEvent, type RecordedEventOf } from '../../kernel/index.js';
import { JobCompensated, JobFailed, JobRunning, JobScheduled, JobSucceeded, jobType, type Station } from './contracts.js';

/**
 * Every event of jobs. A job's stream (`jobs.job-<jobId>`): the stations' private events below,
 * then the public ones of contracts.ts. A pool's stream (`jobs.pool-<type>`): its slots, private.
 */

/** A job's statuses, in the order a job meets them; each event of its stream sets one (`transition`). */
export const JOB_STATUSES = ['accepted', 'validated', 'prepared', 'scheduled', 'running', 'succeeded', 'failed', 'compensated'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * A job taken in, from `submittedBy` (a member's user id, or `service:<tokenId>`: who may see it
 * besides operators and `jobs:read` tokens). Version 2 added `submittedBy`; jobs accepted before
 * have null, and only operators and `jobs:read` tokens see them.
 */
export const JobAccepted = defineEvent('jobs.JobAccepted', 2, z.object({ jobId: z.uuid(), type: jobType, submittedBy: z.string().nullable(), payload: z.unknown() }), {
  upcasters: { 1: (data: object) => ({ ...data, submittedBy: null }) },
});
export const JobValidated = defineEvent('jobs.JobValidated', 1, z.object({ jobId: z.uuid(), type: jobType }));
export const JobPrepared = defineEvent('jobs.JobPrepared', 1, z.object({ jobId: z.uuid(), type: jobType, payloadBytes: z.number().int().min(0), digest: z.string() }));

/** Every event of a job's stream, in the order a job meets them. */
export const jobEvents = [JobAccepted, JobValidated, JobPrepared, JobScheduled, JobRunning, JobSucceeded, JobFailed, JobCompensated];
export type JobEvent = RecordedEventOf<(typeof jobEvents)[number]>;

/** What one job event does to the job's status: the one mapping the aggregate, the views and the history share. */
export function transition(event: JobEvent): { status: JobStatus; station: Station; reason?: string } {
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
  }
}

const slot = z.object({ type: jobType, jobId: z.uuid() });
/** The job holds one of the pool's slots (from `scheduled` until it ends). */
export const SlotReserved = defineEvent('jobs.SlotReserved', 1, slot);
/** The pool was full: the job waits in line (first come, first served). */
export const SlotWaitStarted = defineEvent('jobs.SlotWaitStarted', 1, slot);
/** The job gave its slot back. */
export const SlotReleased = defineEvent('jobs.SlotReleased', 1, slot);
/** A waiting job left the line without a slot (it failed while waiting). */
export const SlotWaitAbandoned = defineEvent('jobs.SlotWaitAbandoned', 1, slot);

export const poolEvents = [SlotReserved, SlotWaitStarted, SlotReleased, SlotWaitAbandoned];
export type PoolEvent = RecordedEventOf<(typeof poolEvents)[number]>;

export const privateEvents = [JobAccepted, JobValidated, JobPrepared, ...poolEvents];
