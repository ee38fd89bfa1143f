import type { Knex } from 'knex';

/** A process's tables in its module's database (generation-suffixed like any projection's). */
export const processTables = {
  instances: (t: Knex.CreateTableBuilder) => {
    t.string('id').primary();
    t.string('status', 20).notNullable(); // running | compensating | completed | failed | compensated
    // Step labels may embed whole error messages (an SMTP refusal can be long): text, never cut.
    t.text('step');
    t.text('state').notNullable();
    t.string('correlation', 200).index();
    /** Remembered steps with their undo commands, oldest first (JSON). */
    t.text('completed_steps').notNullable();
    /** Commands sent so far: the next command id is derived from it, so a replay sends the same ids. */
    t.integer('commands_sent').notNullable();
    /** Position of the last event it took: an event delivered again (at or below it) is ignored. */
    t.bigInteger('last_position').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  },
  outbox: (t: Knex.CreateTableBuilder) => {
    t.increments('seq');
    t.string('instance_id').notNullable();
    t.string('command_id', 36).notNullable().unique();
    t.string('command_type', 200).notNullable();
    t.text('data').notNullable();
    t.string('purpose', 10).notNullable(); // step | undo
    t.string('status', 10).notNullable(); // pending | done | failed
    t.integer('attempts').notNullable();
    t.bigInteger('next_attempt_at').notNullable();
    t.text('last_error');
    originColumns(t);
    t.index(['correlation_id']);
    t.index(['status', 'next_attempt_at']);
    // "Is an earlier command of this instance still pending?" — asked for every candidate on each delivery pass.
    t.index(['instance_id', 'status', 'seq']);
  },
  timers: (t: Knex.CreateTableBuilder) => {
    t.string('instance_id').notNullable();
    t.string('name', 100).notNullable();
    t.bigInteger('due_at').notNullable().index();
    originColumns(t);
    t.primary(['instance_id', 'name']);
  },
};

/**
 * Where an outbox command or a timer comes from: the conversation (the originating request's
 * correlation id), the message that caused it, and its trace context. The command carries
 * them when it is delivered, so the request id survives every process, timer and remote call.
 */
function originColumns(t: Knex.CreateTableBuilder | Knex.AlterTableBuilder): void {
  t.string('correlation_id', 200);
  t.string('causation_id', 200);
  t.string('traceparent', 60);
}

/**
 * Adds the origin columns to outbox and timer tables made before they existed (a generation
 * created by an older version of seams): nullable, so old rows read as "origin unknown".
 */
export async function upgradeProcessTables(db: Knex, tables: ProcessTables): Promise<void> {
  for (const table of [tables.outbox, tables.timers]) {
    if (!(await db.schema.hasTable(table)) || (await db.schema.hasColumn(table, 'correlation_id'))) continue;
    await db.schema.alterTable(table, (t) => {
      originColumns(t);
      if (table === tables.outbox) t.index(['correlation_id']);
    });
  }
}

/** The origin columns of an outbox or timer row. */
export interface OriginRow {
  correlation_id: string | null;
  causation_id: string | null;
  traceparent: string | null;
}

export type ProcessTableName = keyof typeof processTables;

export interface InstanceRow {
  id: string;
  status: string;
  step: string | null;
  state: string;
  correlation: string | null;
  completed_steps: string;
  commands_sent: number;
  last_position: number;
  created_at: number;
  updated_at: number;
}

export interface OutboxRow extends OriginRow {
  seq: number;
  instance_id: string;
  command_id: string;
  command_type: string;
  data: string;
  purpose: 'step' | 'undo';
  status: 'pending' | 'done' | 'failed';
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

/** A process's physical tables (generation-suffixed like a projection's). */
export type ProcessTables = Record<ProcessTableName, string>;
