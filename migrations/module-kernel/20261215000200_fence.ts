import type { Knex } from 'knex';

/**
 * The module's fence: the fencing number of the lease whose holder may write for the module now
 * (checkpoints, process state, outbox marks, timers). A new leader raises it before it starts;
 * a write made under an older number is refused in its own transaction.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('fence', (t) => {
    t.integer('id').primary();
    t.bigInteger('epoch').notNullable();
  });
  await knex('fence').insert({ id: 1, epoch: 0 });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('fence');
}
