import type { Knex } from 'knex';

/** The broker link's bookkeeping, beside the leases its relay is fenced by (src/kernel/broker/). */
export async function up(knex: Knex): Promise<void> {
  // How far each store's relay has published with the broker's confirm (one row per store).
  await knex.schema.createTable('relay_checkpoints', (t) => {
    t.string('store', 64).primary();
    t.bigInteger('position').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  // How far a store's inbox has taken in (committed) the events of each store it receives from.
  await knex.schema.createTable('inbox_progress', (t) => {
    t.string('store', 64).notNullable();
    t.string('source', 64).notNullable();
    t.bigInteger('position').notNullable();
    t.primary(['store', 'source']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inbox_progress');
  await knex.schema.dropTable('relay_checkpoints');
}
