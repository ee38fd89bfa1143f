import type { Knex } from 'knex';

/** Tables the kernel keeps in every module's own database. */
export async function up(knex: Knex): Promise<void> {
  // One row per projection generation: a rebuild writes a new generation beside the serving one.
  await knex.schema.createTable('projections', (t) => {
    t.string('name', 100).notNullable();
    t.integer('generation').notNullable();
    t.integer('version').notNullable();
    t.bigInteger('position').notNullable().defaultTo(0);
    t.string('state', 20).notNullable();
    t.boolean('serving').notNullable().defaultTo(false);
    t.text('error');
    t.bigInteger('error_position');
    t.string('error_event_id', 36);
    t.bigInteger('updated_at').notNullable();
    t.primary(['name', 'generation']);
  });
  // Commands this module handled, by id: a command delivered twice acts once.
  await knex.schema.createTable('handled_commands', (t) => {
    t.string('command_id', 100).primary();
    t.string('type', 200).notNullable();
    t.bigInteger('handled_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('handled_commands');
  await knex.schema.dropTable('projections');
}
