import { defineProjection, findCaughtUp, on, type ModuleContext, type RecordedEvent } from '../../kernel/index.js';
import type { Station } from './contracts.js';
import { jobEvents, transition, type JobStatus } from './job.js';

/**
 * The read side anyone may use without touching the stations' data: every job's current status
 * (a row per job, moved by each of its events) and its history (a row per event, only ever
 * inserted). Both are projections of the jobs' streams.
 */
export const jobStatus = defineProjection({
  name: 'job_status',
  version: 1,
  tables: {
    job_status: (t) => {
      t.string('job_id').primary();
      t.string('type', 64).notNullable();
      t.string('status', 20).notNullable();
      t.string('station', 20).notNullable();
      t.text('reason');
      t.string('updated_at').notNullable();
      /** Stream revision of the job's last event (the ETag). */
      t.integer('revision').notNullable();
      /** Global position of JobAccepted: lists come in the order jobs arrived. */
      t.bigInteger('accepted_position').notNullable();
      t.index(['status', 'accepted_position']);
      t.index(['type', 'accepted_position']);
    },
  },
  handlers: jobEvents.map((contract) =>
    on(contract, async (e: RecordedEvent<any>, { db, tables }) => {
      const { status, station, reason } = transition(e);
      const moved = { status, station, updated_at: e.recordedAt, revision: e.revision, ...(reason !== undefined ? { reason } : {}) };
      if (e.revision === 0) {
        await db(tables.job_status).insert({ job_id: e.data.jobId, type: e.data.type, ...moved, accepted_position: e.position }).onConflict('job_id').ignore();
      } else {
        await db(tables.job_status).where({ job_id: e.data.jobId }).andWhere('revision', '<', e.revision).update(moved);
      }
    }),
  ),
});

export const jobHistory = defineProjection({
  name: 'job_history',
  version: 1,
  tables: {
    job_history: (t) => {
      /** The event's global position: one row per event, inserted once, never updated. */
      t.bigInteger('position').primary();
      t.string('job_id').notNullable();
      t.string('status', 20).notNullable();
      t.string('station', 20).notNullable();
      t.text('reason');
      t.string('at').notNullable();
      t.index(['job_id', 'position']);
    },
  },
  handlers: jobEvents.map((contract) =>
    on(contract, async (e: RecordedEvent<any>, { db, tables }) => {
      const { status, station, reason } = transition(e);
      await db(tables.job_history)
        .insert({ position: e.position, job_id: e.data.jobId, status, station, reason: reason ?? null, at: e.recordedAt })
        .onConflict('position')
        .ignore();
    }),
  ),
});

export interface JobView {
  jobId: string;
  type: string;
  status: JobStatus;
  station: Station;
  updatedAt: string;
  reason?: string;
  revision: number;
}

interface StatusRow {
  job_id: string;
  type: string;
  status: JobStatus;
  station: Station;
  reason: string | null;
  updated_at: string;
  revision: number;
}

const view = (r: StatusRow): JobView => ({
  jobId: r.job_id,
  type: r.type,
  status: r.status,
  station: r.station,
  updatedAt: r.updated_at,
  ...(r.reason !== null ? { reason: r.reason } : {}),
  revision: r.revision,
});

/** One job's status; a job not (yet) in the view gets one catch-up before it is unknown. */
export async function findJob(ctx: ModuleContext, jobId: string): Promise<JobView | undefined> {
  const find = async () => {
    const row = (await ctx.db(ctx.tables('job_status').job_status).where({ job_id: jobId }).first()) as StatusRow | undefined;
    return row && view(row);
  };
  return findCaughtUp(ctx, 'job_status', find);
}

export async function listJobs(ctx: ModuleContext, filter: { status?: JobStatus; type?: string; limit: number }): Promise<JobView[]> {
  const rows = (await ctx
    .db(ctx.tables('job_status').job_status)
    .modify((q) => {
      if (filter.status) q.where({ status: filter.status });
      if (filter.type) q.where({ type: filter.type });
    })
    .orderBy('accepted_position')
    .limit(filter.limit)) as StatusRow[];
  return rows.map(view);
}

export interface HistoryEntry {
  status: JobStatus;
  station: Station;
  at: string;
  reason?: string;
}

export async function jobHistoryOf(ctx: ModuleContext, jobId: string): Promise<HistoryEntry[]> {
  const rows = (await ctx.db(ctx.tables('job_history').job_history).where({ job_id: jobId }).orderBy('position')) as { status: JobStatus; station: Station; at: string; reason: string | null }[];
  return rows.map((r) => ({ status: r.status, station: r.station, at: r.at, ...(r.reason !== null ? { reason: r.reason } : {}) }));
}
