import { z } from 'zod';
import { batchedReads, chunks, defineProjection, defineRow, findCaughtUp, type ModuleContext } from '../../../kernel/index.js';
import { jobType, station } from '../contracts.js';
import { JOB_STATUSES, JobAccepted, jobEvents, transition, type JobEvent, type JobStatus } from '../events.js';

export const statusRow = defineRow(
  z.object({
    jobId: z.uuid(),
    type: jobType,
    /** Who submitted it (a member's id or `service:<tokenId>`; null: before jobs had submitters). */
    submittedBy: z.string().nullable(),
    status: z.enum(JOB_STATUSES),
    station,
    reason: z.string().optional(),
    updatedAt: z.string(),
    /** Stream revision of the job's last event (the ETag). */
    revision: z.number().int(),
    /** Global position of JobAccepted: lists come in the order jobs arrived. */
    acceptedPosition: z.number().int(),
  }),
  { primary: ['jobId'], indexes: [['status', 'acceptedPosition'], ['type', 'acceptedPosition'], ['submittedBy', 'acceptedPosition']] },
);

/** What clients read of a job (GET /jobs/:jobId, GET /jobs). */
export const jobView = statusRow.schema.omit({ revision: true, acceptedPosition: true, submittedBy: true });
export type JobView = z.output<typeof jobView>;

/** Every job's current status: a row per job, moved by each of its events. Anyone may read it without touching the stations' data. */
export const jobStatus = defineProjection({
  name: 'job_status',
  // 2: who submitted each job.
  version: 2,
  tables: { job_status: statusRow.table },
  events: jobEvents,
  // A batch is one multi-row upsert: a job's events in it are folded into its row (the jobs
  // accepted in it are inserted whole), and a row already there takes the moves newer than its
  // revision. A statement per event, then one per job, kept the module's one writer connection
  // busy (bench:jobs: half the statements on it while the pipeline drained).
  async applyBatch(events, { db, tables }) {
    const jobs = new Map<string, Record<string, unknown>>();
    for (const e of events as JobEvent[]) {
      const { status, station: at, reason } = transition(e);
      // A move without a reason keeps the one before it (a compensation keeps the failure's reason).
      const moved = statusRow.toDb({ status, station: at, updatedAt: e.recordedAt, revision: e.revision, ...(reason !== undefined ? { reason } : {}) });
      // Only JobAccepted knows the submitter and the arrival; a row is always there before a job's
      // later events (a parked JobAccepted parks them too), so these stand-ins are never inserted.
      const job = jobs.get(e.data.jobId) ?? statusRow.toDb({ jobId: e.data.jobId, type: e.data.type, submittedBy: null, acceptedPosition: e.position });
      if (e.type === JobAccepted.type) Object.assign(job, statusRow.toDb({ submittedBy: e.data.submittedBy, acceptedPosition: e.position }));
      jobs.set(e.data.jobId, { reason: null, ...job, ...moved });
    }
    const table = tables.job_status;
    for (const chunk of chunks([...jobs.values()], ROWS_PER_STATEMENT)) {
      await db(table)
        .insert(chunk)
        .onConflict('job_id')
        .merge({
          status: db.raw('excluded.status'),
          station: db.raw('excluded.station'),
          updated_at: db.raw('excluded.updated_at'),
          revision: db.raw('excluded.revision'),
          reason: db.raw('coalesce(excluded.reason, ??)', [`${table}.reason`]),
        })
        .where(`${table}.revision`, '<', db.raw('excluded.revision'));
    }
  },
});

/** Ten columns a row: well under SQLite's 999 bound values per statement. */
const ROWS_PER_STATEMENT = 90;

const jobsById = batchedReads(
  (ctx, ids: readonly string[]) => ctx.db(ctx.tables(jobStatus).job_status).whereIn('job_id', ids) as Promise<{ job_id: string }[]>,
  (row) => row.job_id,
);

/** One job's status, revision and submitter; a job not (yet) in the view gets one catch-up before it is unknown. */
export async function findJob(ctx: ModuleContext, jobId: string): Promise<{ view: JobView; revision: number; submittedBy: string | null } | undefined> {
  const found = await findCaughtUp(ctx, jobStatus, () => jobsById(ctx, jobId));
  if (!found) return undefined;
  const { revision, acceptedPosition: _arrived, submittedBy, ...view } = statusRow.fromDb(found);
  return { view, revision, submittedBy };
}

/** Jobs in the order they arrived; with `submittedBy`, only that caller's. */
export async function listJobs(ctx: ModuleContext, filter: { status?: JobStatus; type?: string; submittedBy?: string; limit: number }): Promise<JobView[]> {
  const rows = (await ctx
    .db(ctx.tables(jobStatus).job_status)
    .modify((q) => {
      if (filter.status) q.where({ status: filter.status });
      if (filter.type) q.where({ type: filter.type });
      if (filter.submittedBy) q.where({ submitted_by: filter.submittedBy });
    })
    .orderBy('accepted_position')
    .limit(filter.limit)) as Record<string, unknown>[];
  return rows.map((r) => {
    const { revision: _revision, acceptedPosition: _arrived, submittedBy: _by, ...view } = statusRow.fromDb(r);
    return view;
  });
}
