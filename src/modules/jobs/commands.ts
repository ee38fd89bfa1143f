import { z } from 'zod';
import { defineCommand, handleCommand, type CommandHandler } from '../../kernel/index.js';
import { jobType, station, type Station } from './contracts.js';
import { handleJob } from './job.js';
import { handlePool, poolSize } from './pool.js';

/**
 * jobs' own, private commands: what the stations (processes/) ask, through their outboxes, of
 * the job's stream (job.ts) and the pool's stream (pool.ts). Each appends to one stream at most
 * once per delivery and decides nothing when its work is already in the log, so a redelivered
 * command is a no-op.
 */
const jobId = z.object({ jobId: z.uuid() });
const slot = z.object({ jobId: z.uuid(), type: jobType });
export const ValidateJob = defineCommand('jobs.ValidateJob', jobId);
export const PrepareJob = defineCommand('jobs.PrepareJob', jobId);
export const ReserveSlot = defineCommand('jobs.ReserveSlot', slot);
export const ScheduleJob = defineCommand('jobs.ScheduleJob', jobId);
export const ReleaseSlot = defineCommand('jobs.ReleaseSlot', slot);
export const CompensateJob = defineCommand('jobs.CompensateJob', jobId);
export const FailJob = defineCommand('jobs.FailJob', z.object({ jobId: z.uuid(), station, reason: z.string() }));

/** Test and operations hook: runs before a station's command does its work; a throw is that station's error. */
export type StationHook = (station: Station, jobId: string, command: string) => void | Promise<void>;

export function commands(hook?: StationHook): CommandHandler[] {
  const at = async (s: Station, id: string, c: { type: string }) => hook?.(s, id, c.type);
  return [
    handleCommand(ValidateJob, async (ctx, { jobId }) => {
      await at('validate', jobId, ValidateJob);
      await handleJob(ctx.events, { kind: 'validate', jobId });
    }),
    handleCommand(PrepareJob, async (ctx, { jobId }) => {
      await at('prepare', jobId, PrepareJob);
      await handleJob(ctx.events, { kind: 'prepare', jobId });
    }),
    handleCommand(ReserveSlot, async (ctx, data) => {
      await at('schedule', data.jobId, ReserveSlot);
      await handlePool(ctx, { kind: 'reserve', ...data, size: poolSize(ctx) });
    }),
    handleCommand(ScheduleJob, async (ctx, { jobId }) => {
      await at('schedule', jobId, ScheduleJob);
      await handleJob(ctx.events, { kind: 'schedule', jobId });
    }),
    handleCommand(ReleaseSlot, async (ctx, data) => void (await handlePool(ctx, { kind: 'release', ...data, size: poolSize(ctx) }))),
    handleCommand(CompensateJob, async (ctx, { jobId }) => void (await handleJob(ctx.events, { kind: 'compensate', jobId }))),
    handleCommand(FailJob, async (ctx, data) => void (await handleJob(ctx.events, { kind: 'fail', ...data }))),
  ];
}
