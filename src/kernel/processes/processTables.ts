import type { Knex } from 'knex';

/** A process's tables in its module's database (generation-suffixed like any projection's). */
export const processTables = {
  instances: (t: Knex.CreateTableBuilder) => {
    t.string('id').primary();
    t.string('status', 20).notNullable(); // running | compensating | completed | failed | compensated
    t.string('step', 100);
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
    t.index(['status', 'next_attempt_at']);
    // "Is an earlier command of this instance still pending?" — asked for every candidate on each delivery pass.
    t.index(['instance_id', 'status', 'seq']);
  },
  timers: (t: Knex.CreateTableBuilder) => {
    t.string('instance_id').notNullable();
    t.string('name', 100).notNullable();
    t.bigInteger('due_at').notNullable().index();
    t.primary(['instance_id', 'name']);
  },
};

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

export interface OutboxRow {
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
