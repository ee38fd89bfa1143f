import type { Knex } from 'knex';
import { v5 as uuidv5 } from 'uuid';
import { inSpan, traceparentOf } from '../telemetry/tracing.js';
import type { ProcessDefinition, ProcessInput, ProcessTx } from '../types/process.js';
import { afterUndo, decideInput, newInstance, takeStep, type Effects, type Instance, type TimerChange } from './instance.js';
import type { InstanceRow, OriginRow, OutboxRow, ProcessTables } from './processTables.js';

/**
 * Namespace of command ids derived from (process, instance, n, command type): a replay that
 * decides the same derives the same ids, and one that decides otherwise (its module database was
 * restored and its facts changed) derives other ids, so the receiver does not take the new
 * command for the earlier one and drop it. (The type only, not the data: a resend must keep its id.)
 */
const COMMAND_IDS = '6f1c0b5e-3c55-4d1e-9a0e-5b2f3b7c9d10';

/**
 * Where a step's input comes from: the conversation (correlation id), the message that caused
 * it, and its trace context. The commands and timers the step writes keep it.
 */
export interface Origin {
  correlationId?: string;
  causationId?: string;
  traceparent?: string;
}

/** The origin kept in an outbox or timer row. */
export const originOf = (row: OriginRow): Origin => ({ correlationId: row.correlation_id ?? undefined, causationId: row.causation_id ?? undefined, traceparent: row.traceparent ?? undefined });

/** An event's origin: its conversation (itself when it has none), caused by it. */
const eventOrigin = (input: ProcessInput): Origin =>
  input.kind === 'event' ? { correlationId: input.event.metadata.correlationId ?? input.event.id, causationId: input.event.id, traceparent: input.event.metadata.traceparent } : {};

/** What the kernel hands a process besides the transaction: its module's tables, configuration and settings. */
export type ProcessEnv = Pick<ProcessTx, 'tables' | 'config' | 'settings'>;

const fromRow = (row: InstanceRow): Instance => ({
  id: row.id,
  status: row.status as Instance['status'],
  step: row.step,
  state: JSON.parse(row.state),
  correlation: row.correlation,
  completed: JSON.parse(row.completed_steps),
  commandsSent: row.commands_sent,
  lastPosition: Number(row.last_position),
});

/**
 * The instance's row, locked until the transaction ends where the database lets others write
 * meanwhile (PostgreSQL). The projection runner's batches and the engine (timers, failure
 * bookkeeping, compensation) step the same instance in transactions of their own; under READ
 * COMMITTED the later step would otherwise decide on the row as it was before the earlier one
 * committed and overwrite it (a lost step: the campaign's seed 14 left an order pending, its
 * instance back to "reserving credit" behind an invalidation already sent). SQLite has one writer
 * at a time already.
 */
export function lockInstance(trx: Knex.Transaction, tables: ProcessTables, instanceId: string): Promise<InstanceRow | undefined> {
  const query = trx(tables.instances).where({ id: instanceId });
  return (trx.client.config.client === 'pg' ? query.forUpdate() : query).first() as Promise<InstanceRow | undefined>;
}

/**
 * Where steps read and write their instances. The engine's steps (timers, failures, undos) go
 * straight to the transaction, a row at a time (`stepsIn`); the runner's batch holds its
 * instances in memory and writes them all at its end (stepBatch.ts).
 */
export interface InstanceSteps {
  readonly trx: Knex.Transaction;
  /** The instance's row as the step must see it, locked for the transaction (see lockInstance). */
  lock(instanceId: string): Promise<InstanceRow | undefined>;
  /** Takes a step's writes: the instance's new row, its commands for the outbox, its timer changes. */
  write(step: StepWrite): Promise<void>;
}

/** What one step writes. `created`: the row is new (else it replaces the one `lock` returned). */
export interface StepWrite {
  row: InstanceRow;
  created: boolean;
  outbox: Omit<OutboxRow, 'seq' | 'last_error'>[];
  timers: (TimerChange & OriginRow)[];
}

/** Steps written straight into `trx`, statement by statement. */
export function stepsIn(trx: Knex.Transaction, tables: ProcessTables): InstanceSteps {
  return {
    trx,
    lock: (instanceId) => lockInstance(trx, tables, instanceId),
    async write({ row, created, outbox, timers }) {
      for (const command of outbox) await trx(tables.outbox).insert(command);
      for (const change of timers) await changeTimer(trx, tables, row.id, change);
      if (created) await trx(tables.instances).insert(row);
      else await trx(tables.instances).where({ id: row.id }).update(row);
    },
  };
}

/** One timer change of an instance, as its own statement. */
async function changeTimer(trx: Knex.Transaction, tables: ProcessTables, instanceId: string, change: TimerChange & OriginRow): Promise<void> {
  const { correlation_id, causation_id, traceparent } = change;
  if ('set' in change) await trx(tables.timers).insert({ instance_id: instanceId, name: change.set, due_at: change.at, correlation_id, causation_id, traceparent }).onConflict(['instance_id', 'name']).merge();
  else await trx(tables.timers).where({ instance_id: instanceId, ...('cancel' in change ? { name: change.cancel } : {}) }).delete();
}

/** What `read` found for this input: replica rows, settings (nothing for failures and compensations). */
async function readFacts(definition: ProcessDefinition, input: ProcessInput, tx: ProcessTx, state: unknown): Promise<unknown> {
  if (input.kind === 'event') return definition.reactions.find((r) => r.contract.type === input.event.type)!.read?.(input.event, tx, state);
  if (input.kind === 'timer') return definition.onTimer?.read?.(state, input.name, tx);
  return undefined;
}

/**
 * Feeds one input to one instance: reads what its decision needs, decides, and hands the step —
 * state, outbox rows, timers, remembered steps — to `steps` (the caller's transaction). `start`
 * creates the instance.
 */
export async function advance(
  definition: ProcessDefinition,
  steps: InstanceSteps,
  env: ProcessEnv,
  instanceId: string,
  input: ProcessInput,
  options: { start?: boolean; origin?: Origin } = {},
): Promise<void> {
  const row = await steps.lock(instanceId);
  if (!row && !options.start) return;
  if (row && options.start && input.kind === 'event') return; // one live instance per id: a second start is a duplicate
  if (row && input.kind === 'event' && input.event.position <= Number(row.last_position)) return; // delivered before
  const origin = options.origin ?? eventOrigin(input);
  const attributes = { 'seams.process': definition.name, 'seams.instance': instanceId, 'seams.input': input.kind === 'event' ? input.event.type : input.kind };
  await inSpan(`seams.process ${definition.name}`, { parent: origin.traceparent, attributes }, async () => {
    const now = new Date();
    const instance = row ? fromRow(row) : newInstance(definition, instanceId);
    const facts = await readFacts(definition, input, { db: steps.trx, ...env, now }, instance.state);
    if (input.kind === 'event') instance.lastPosition = input.event.position;
    const result = takeStep(definition, instance, decideInput(definition, instance.state, input, facts), now);
    // What this step sends continues its span's trace (or the input's, with tracing off).
    await steps.write(stepWrite(definition, result, now, row?.created_at, { ...origin, traceparent: traceparentOf() ?? origin.traceparent }));
  });
}

/**
 * After an undo command was delivered: forget its step and send the next undo, or, when none
 * is left, let the process decide what follows. Runs in the dispatcher's transaction, so a crash
 * resumes exactly where compensation stopped.
 */
export async function undoDelivered(definition: ProcessDefinition, steps: InstanceSteps, instanceId: string, origin: Origin): Promise<void> {
  const row = await steps.lock(instanceId);
  if (!row || row.status !== 'compensating') return;
  const now = new Date();
  await steps.write(stepWrite(definition, afterUndo(definition, fromRow(row), now), now, row.created_at, origin));
}

/** An instance's new row and what its step asked of the outbox and the timers. */
function stepWrite(definition: ProcessDefinition, { instance, effects }: { instance: Instance; effects: Effects }, now: Date, createdAt: number | undefined, origin: Origin): StepWrite {
  const from = { correlation_id: origin.correlationId ?? null, causation_id: origin.causationId ?? null, traceparent: origin.traceparent ?? null };
  const row: InstanceRow = {
    id: instance.id,
    status: instance.status,
    step: instance.step,
    state: JSON.stringify(instance.state),
    correlation: instance.correlation,
    completed_steps: JSON.stringify(instance.completed),
    commands_sent: instance.commandsSent,
    last_position: instance.lastPosition,
    created_at: createdAt ?? now.getTime(),
    updated_at: now.getTime(),
  };
  const outbox = effects.commands.map((c) => ({
    instance_id: instance.id,
    command_id: uuidv5(`${definition.name}/${instance.id}/${c.n}/${c.type}`, COMMAND_IDS),
    command_type: c.type,
    data: JSON.stringify(c.data),
    purpose: c.purpose,
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: now.getTime(),
    ...from,
  }));
  return { row, created: createdAt === undefined, outbox, timers: effects.timers.map((change) => ({ ...change, ...from })) };
}
