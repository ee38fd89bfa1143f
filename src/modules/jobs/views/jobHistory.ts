import { z } from 'zod';
import { defineProjection, defineRow, on, type ModuleContext } from '../../../kernel/index.js';
import { station } from '../contracts.js';
import { JOB_STATUSES, jobEvents, transition } from '../events.js';

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
  handlers: jobEvents.map((contract) =>
    on(contract, async (e, { db, tables }) => {
      const row = historyRow.toDb({ position: e.position, jobId: e.data.jobId, ...transition(e), at: e.recordedAt });
      await db(tables.job_history).insert(row).onConflict('position').ignore();
    }),
  ),
});

export async function jobHistoryOf(ctx: ModuleContext, jobId: string): Promise<HistoryEntry[]> {
  const rows = (await ctx.db(ctx.tables(jobHistory).job_history).where({ job_id: jobId }).orderBy('position')) as Record<string, unknown>[];
  return rows.map((r) => {
    const { position: _position, jobId: _jobId, ...entry } = historyRow.fromDb(r);
    return entry;
  });
}
