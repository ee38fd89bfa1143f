import type { Knex } from 'knex';
import type { InstanceDetail, InstanceSummary } from '../types/process.js';
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
    commands: commands.map((c) => ({ commandId: c.command_id, type: c.command_type, purpose: c.purpose, status: c.status, attempts: c.attempts, lastError: c.last_error })),
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
