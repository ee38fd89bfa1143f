import type { Knex } from 'knex';

/** The log: one row per event, position = SQLite rowid (one writer, so position order is commit order). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('events', (t) => {
    t.integer('position').primary();
    t.string('id', 36).notNullable().unique();
    t.string('stream', 200).notNullable();
    t.integer('revision').notNullable();
    t.string('type', 200).notNullable();
    t.integer('schema_version').notNullable();
    t.text('data').notNullable();
    t.text('metadata').notNullable();
    t.bigInteger('recorded_at').notNullable();
    t.unique(['stream', 'revision']);
    t.index(['type', 'position']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('events');
}
