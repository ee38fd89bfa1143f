import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../errors.js';
import type { CommandSummary, InstanceDetail, InstanceSummary, ProcessCounts } from '../types/process.js';
import type { InstanceRow, OutboxRow, ProcessTables } from './processTables.js';

/** What people see of process instances: `GET /admin/processes` and `seams processes`. */
export async function listInstances(db: Knex, tables: ProcessTables, type: string, module: string, filter: { status?: string; limit?: number } = {}): Promise<InstanceSummary[]> {
  const rows = (await db(tables.instances)
    .modify((q) => (filter.status ? q.where({ status: filter.status }) : q))
    .orderBy('created_at', 'desc')
    .limit(filter.limit ?? 100)) as InstanceRow[];
  return Promise.all(rows.map((row) => summarize(db, tables, type, module, row)));
}

export async function showInstance(db: Knex, tables: ProcessTables, type: string, module: string, id: string): Promise<InstanceDetail | undefined> {
  const row = (await db(tables.instances).where({ id }).first()) as InstanceRow | undefined;
  if (!row) return undefined;
  const commands = (await db(tables.outbox).where({ instance_id: id }).orderBy('seq')) as OutboxRow[];
  const timers = (await db(tables.timers).where({ instance_id: id }).orderBy('due_at')) as { name: string; due_at: number }[];
  return {
    ...(await summarize(db, tables, type, module, row)),
    state: JSON.parse(row.state),
    completedSteps: JSON.parse(row.completed_steps),
    commands: commands.map((c) => ({ commandId: c.command_id, type: c.command_type, purpose: c.purpose, status: c.status, attempts: c.attempts, lastError: c.last_error, correlationId: c.correlation_id ?? null, causationId: c.causation_id ?? null })),
    timers: timers.map((t) => ({ name: t.name, dueAt: new Date(Number(t.due_at)).toISOString() })),
  };
}

async function summarize(db: Knex, tables: ProcessTables, type: string, module: string, row: InstanceRow): Promise<InstanceSummary> {
  const pending = (await db(tables.outbox).where({ instance_id: row.id, status: 'pending' }).orderBy('seq').first()) as OutboxRow | undefined;
  const timer = (await db(tables.timers).where({ instance_id: row.id }).min('due_at as due').first()) as { due: number | null } | undefined;
  const wakes = [pending?.next_attempt_at, timer?.due].filter((t): t is number => t !== null && t !== undefined).map(Number);
  return {
    type,
    module,
    id: row.id,
    status: row.status,
    step: row.step,
    attempts: pending?.attempts ?? 0,
    nextWakeAt: wakes.length ? new Date(Math.min(...wakes)).toISOString() : null,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}

const commandSummary = (type: string, module: string, c: OutboxRow): CommandSummary => ({
  type,
  module,
  instance: c.instance_id,
  commandId: c.command_id,
  command: c.command_type,
  purpose: c.purpose,
  status: c.status,
  attempts: c.attempts,
  lastError: c.last_error,
  nextAttemptAt: c.status === 'pending' ? new Date(Number(c.next_attempt_at)).toISOString() : null,
  correlationId: c.correlation_id ?? null,
  causationId: c.causation_id ?? null,
});

/** The commands a process sent in one conversation (correlation id), oldest first. */
export async function conversationCommands(db: Knex, tables: ProcessTables, type: string, module: string, correlationId: string): Promise<CommandSummary[]> {
  const rows = (await db(tables.outbox).where({ correlation_id: correlationId }).orderBy('seq')) as OutboxRow[];
  return rows.map((c) => commandSummary(type, module, c));
}

/** Commands given up for good (refused, or out of retries), newest first: what an operator may resubmit. */
export async function setAsideCommands(db: Knex, tables: ProcessTables, type: string, module: string, limit = 100): Promise<CommandSummary[]> {
  const rows = (await db(tables.outbox).where({ status: 'failed' }).orderBy('seq', 'desc').limit(limit)) as OutboxRow[];
  return rows.map((c) => commandSummary(type, module, c));
}

export async function countInstances(db: Knex, tables: ProcessTables, type: string, module: string): Promise<ProcessCounts> {
  const byStatus = (await db(tables.instances).select('status').count('* as n').groupBy('status')) as { status: string; n: number | string }[];
  const outbox = (await db(tables.outbox).select('status').count('* as n').whereIn('status', ['pending', 'failed']).groupBy('status')) as { status: string; n: number | string }[];
  const of = (status: string) => Number(outbox.find((r) => r.status === status)?.n ?? 0);
  return { type, module, instances: Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])), outboxDepth: of('pending'), setAside: of('failed') };
}

/**
 * Puts a set-aside command back in the outbox, to be delivered again under its own id (so it
 * still acts at most once). What it then appends reaches the process like any event.
 */
export async function resubmitCommand(db: Knex, tables: ProcessTables, type: string, instanceId: string, commandId: string): Promise<OutboxRow> {
  const row = (await db(tables.outbox).where({ instance_id: instanceId, command_id: commandId }).first()) as OutboxRow | undefined;
  if (!row) throw new NotFoundError(`no command ${commandId} of ${type} instance ${instanceId}`);
  const changed = await db(tables.outbox).where({ seq: row.seq, status: 'failed' }).update({ status: 'pending', attempts: 0, next_attempt_at: Date.now(), last_error: null });
  if (changed !== 1) throw new ConflictError(`command ${commandId} is ${row.status}, not set aside: there is nothing to resubmit`);
  return row;
}
