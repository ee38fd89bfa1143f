import { z } from 'zod';
import { defineEvent } from '../../kernel/index.js';

/**
 * jobs' public face: what happens to a job once it is scheduled — the end system's cue
 * (`JobScheduled`) and the job's outcome. How the stations get a job there (acceptance,
 * validation, preparation, the pools' slots) is private to the module.
 */

/** A job type names a pool of slots: letters, digits, `.`, `_`, `-`, at most 64 characters. */
export const jobType = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a job type is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** Where a job's status was decided: the HTTP intake, a station, or the end system's execution. */
export const station = z.enum(['intake', 'validate', 'prepare', 'schedule', 'execution']);
export type Station = z.infer<typeof station>;

/** The job holds a slot of its type's pool; the end system may execute it. */
export const JobScheduled = defineEvent('jobs.JobScheduled', 1, z.object({ jobId: z.uuid(), type: jobType }));

/** The end system reported that it started the job. */
export const JobRunning = defineEvent('jobs.JobRunning', 1, z.object({ jobId: z.uuid(), type: jobType, detail: z.string().optional() }));

/** The end system reported success; the job's slot is released after it. */
export const JobSucceeded = defineEvent('jobs.JobSucceeded', 1, z.object({ jobId: z.uuid(), type: jobType, detail: z.string().optional() }));

/**
 * A station refused the job, gave up on it, or the end system reported a failure. A job that
 * failed at or after the schedule station is then compensated (`JobCompensated`).
 */
export const JobFailed = defineEvent('jobs.JobFailed', 1, z.object({ jobId: z.uuid(), type: jobType, station, reason: z.string() }));

/** The slot of a job that failed after scheduling was released: the job has ended. */
export const JobCompensated = defineEvent('jobs.JobCompensated', 1, z.object({ jobId: z.uuid(), type: jobType }));

export const publicEvents = [JobScheduled, JobRunning, JobSucceeded, JobFailed, JobCompensated];
