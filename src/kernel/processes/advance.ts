import type { Knex } from 'knex';
import { v5 as uuidv5 } from 'uuid';
import type { ProcessDefinition, ProcessEnv, ProcessInput, ProcessStep, ProcessTx } from './defineProcess.js';
import type { InstanceRow } from './processTables.js';

/** Namespace of command ids derived from (process, instance, n): a replay derives the same ids. */
const COMMAND_IDS = '6f1c0b5e-3c55-4d1e-9a0e-5b2f3b7c9d10';

export interface ProcessTables {
  instances: string;
  outbox: string;
  timers: string;
}

interface Remembered {
  step: string;
  undo: { type: string; data: unknown };
}

/** Puts the instance's `n`-th command in the outbox; its id is derived from (process, instance, n). */
async function enqueue(trx: Knex.Transaction, tables: ProcessTables, process: string, instanceId: string, n: number, type: string, data: unknown, purpose: 'step' | 'undo', now: Date) {
  await trx(tables.outbox).insert({
    instance_id: instanceId,
    command_id: uuidv5(`${process}/${instanceId}/${n}`, COMMAND_IDS),
    command_type: type,
    data: JSON.stringify(data),
    purpose,
    status: 'pending',
    attempts: 0,
    next_attempt_at: now.getTime(),
  });
}

/**
 * Feeds one input to one instance and writes everything the handler decided — state, outbox
 * rows, timers, remembered steps — in the caller's transaction. `start` creates the instance.
 */
export async function advance(
  definition: ProcessDefinition,
  trx: Knex.Transaction,
  tables: ProcessTables,
  env: ProcessEnv,
  instanceId: string,
  input: ProcessInput,
  options: { start?: boolean } = {},
): Promise<void> {
  const existing = (await trx(tables.instances).where({ id: instanceId }).first()) as InstanceRow | undefined;
  if (!existing && !options.start) return;
  if (existing && options.start && input.kind === 'event') return; // one live instance per id: a second start is a duplicate
  if (existing && input.kind === 'event' && input.event.position <= Number(existing.last_position)) return; // delivered before
  const now = new Date();
  const row: InstanceRow = existing ?? {
    id: instanceId,
    status: 'running',
    step: null,
    state: JSON.stringify(definition.initialState(instanceId)),
    correlation: null,
    completed_steps: '[]',
    commands_sent: 0,
    last_position: 0,
    created_at: now.getTime(),
    updated_at: now.getTime(),
  };
  const tx: ProcessTx = { db: trx, tables: env.tables, config: env.config, now };
  const result = await decide(definition, JSON.parse(row.state), input, tx);
  if (input.kind === 'event') row.last_position = input.event.position;
  await apply(definition, trx, tables, row, result, tx, !existing);
}

async function decide(definition: ProcessDefinition, state: unknown, input: ProcessInput, tx: ProcessTx): Promise<ProcessStep<unknown>> {
  switch (input.kind) {
    case 'event':
      return definition.reactions.find((r) => r.contract.type === input.event.type)!.handle(state, input.event, tx);
    case 'timer':
      return definition.onTimer ? definition.onTimer(state, input.name, tx) : {};
    case 'commandFailed':
      return definition.onCommandFailed ? definition.onCommandFailed(state, input, tx) : { end: 'failed', step: `${input.command} failed: ${input.error}` };
    case 'compensated':
      return definition.onCompensated ? definition.onCompensated(state, tx) : { end: 'compensated' };
  }
}

async function apply(
  definition: ProcessDefinition,
  trx: Knex.Transaction,
  tables: ProcessTables,
  row: InstanceRow,
  result: ProcessStep<unknown>,
  tx: ProcessTx,
  isNew: boolean,
): Promise<void> {
  const state = result.state !== undefined ? result.state : JSON.parse(row.state);
  const completed = JSON.parse(row.completed_steps) as Remembered[];
  let sent = row.commands_sent;
  let status = row.status;

  for (const out of result.send ?? []) await enqueue(trx, tables, definition.name, row.id, ++sent, out.command.type, out.data, 'step', tx.now);
  if (result.remember) completed.push({ step: result.remember.step, undo: { type: result.remember.undo.command.type, data: result.remember.undo.data } });
  for (const name of result.cancel ?? []) await trx(tables.timers).where({ instance_id: row.id, name }).delete();
  for (const timer of result.schedule ?? []) {
    await trx(tables.timers).insert({ instance_id: row.id, name: timer.name, due_at: timer.at.getTime() }).onConflict(['instance_id', 'name']).merge();
  }
  let pendingCompensation = false;
  if (result.compensate && status !== 'compensating') {
    status = 'compensating';
    const last = completed.at(-1);
    if (last) await enqueue(trx, tables, definition.name, row.id, ++sent, last.undo.type, last.undo.data, 'undo', tx.now);
    else pendingCompensation = true; // nothing to undo: compensation is already complete
  }
  if (result.end) {
    status = result.end;
    await trx(tables.timers).where({ instance_id: row.id }).delete();
  }

  const values = {
    status,
    step: result.step ?? row.step,
    state: JSON.stringify(state),
    correlation: definition.correlationKey?.(state) ?? row.correlation,
    completed_steps: JSON.stringify(completed),
    commands_sent: sent,
    last_position: row.last_position,
    updated_at: tx.now.getTime(),
  };
  if (isNew) await trx(tables.instances).insert({ ...row, ...values });
  else await trx(tables.instances).where({ id: row.id }).update(values);

  if (pendingCompensation) {
    const next = { ...row, ...values };
    const step = await decide(definition, state, { kind: 'compensated' }, tx);
    await apply(definition, trx, tables, next, step, tx, false);
  }
}

/**
 * After an undo command was delivered: forget its step and send the next undo, or, when none
 * is left, tell the process it is compensated. Runs in the dispatcher's transaction, so a crash
 * resumes exactly where compensation stopped.
 */
export async function undoDelivered(
  definition: ProcessDefinition,
  trx: Knex.Transaction,
  tables: ProcessTables,
  env: ProcessEnv,
  instanceId: string,
): Promise<void> {
  const row = (await trx(tables.instances).where({ id: instanceId }).first()) as InstanceRow | undefined;
  if (!row || row.status !== 'compensating') return;
  const completed = (JSON.parse(row.completed_steps) as Remembered[]).slice(0, -1);
  const tx: ProcessTx = { db: trx, tables: env.tables, config: env.config, now: new Date() };
  const next = completed.at(-1);
  if (next) {
    const sent = row.commands_sent + 1;
    await enqueue(trx, tables, definition.name, row.id, sent, next.undo.type, next.undo.data, 'undo', tx.now);
    await trx(tables.instances).where({ id: row.id }).update({ completed_steps: JSON.stringify(completed), commands_sent: sent, updated_at: tx.now.getTime() });
    return;
  }
  await trx(tables.instances).where({ id: row.id }).update({ completed_steps: '[]', updated_at: tx.now.getTime() });
  const step = await decide(definition, JSON.parse(row.state), { kind: 'compensated' }, tx);
  await apply(definition, trx, tables, { ...row, completed_steps: '[]' }, step, tx, false);
}
