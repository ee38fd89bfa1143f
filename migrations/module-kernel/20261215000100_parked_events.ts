import type { Knex } from 'knex';

/**
 * Events a projection (or process) set aside instead of stopping: the one that kept failing
 * (with its error) and, behind it, the later events of the same stream, so that order within a
 * stream holds while every other stream goes on. Per generation, like its checkpoint.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('parked_events', (t) => {
    t.string('projection', 100).notNullable();
    t.integer('generation').notNullable();
    t.bigInteger('position').notNullable();
    t.string('stream', 300).notNullable();
    t.string('event_id', 36).notNullable();
    /** The handler's error for the event that parked the stream; null for the events parked behind it. */
    t.text('error');
    /** An operator asked to try the stream again (seams projections retry): its leader replays it. */
    t.boolean('retry').notNullable().defaultTo(false);
    t.bigInteger('parked_at').notNullable();
    t.primary(['projection', 'generation', 'position']);
    t.index(['projection', 'generation', 'stream']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('parked_events');
}
