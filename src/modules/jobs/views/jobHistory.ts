import { z } from 'zod';
import { chunks, defineProjection, defineRow, type ModuleContext } from '../../../kernel/index.js';
import { station } from '../contracts.js';
import { JOB_STATUSES, jobEvents, transition, type JobEvent } from '../events.js';

export const historyRow = defineRow(
  z.object({
    /** The event's global position: one row per event, inserted once, never updated. */
    position: z.number().int(),
    jobId: z.uuid(),
    status: z.enum(JOB_STATUSES),
    station,
    reason: z.string().optional(),
    at: z.string(),
  }),
  { primary: ['position'], indexes: [['jobId', 'position']] },
);

/** One entry of a job's history (GET /jobs/:jobId/history). */
export const historyEntry = historyRow.schema.omit({ position: true, jobId: true });
export type HistoryEntry = z.output<typeof historyEntry>;

/** Every status each job has had: a row per event, only ever inserted. */
export const jobHistory = defineProjection({
  name: 'job_history',
  version: 1,
  tables: { job_history: historyRow.table },
  events: jobEvents,
  // A multi-row insert per batch: a statement per event kept the module's one writer connection
  // busy (bench:jobs: four of a job's fifty statements on it).
  async applyBatch(events, { db, tables }) {
    const rows = (events as JobEvent[]).map((e) => historyRow.toDb({ position: e.position, jobId: e.data.jobId, ...transition(e), at: e.recordedAt }));
    for (const chunk of chunks(rows, ROWS_PER_INSERT)) await db(tables.job_history).insert(chunk).onConflict('position').ignore();
  },
});

/** Six columns a row: well under SQLite's 999 bound values per statement. */
const ROWS_PER_INSERT = 100;

export async function jobHistoryOf(ctx: ModuleContext, jobId: string): Promise<HistoryEntry[]> {
  const rows = (await ctx.db(ctx.tables(jobHistory).job_history).where({ job_id: jobId }).orderBy('position')) as Record<string, unknown>[];
  return rows.map((r) => {
    const { position: _position, jobId: _jobId, ...entry } = historyRow.fromDb(r);
    return entry;
  });
}
