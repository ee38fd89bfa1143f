import type { Knex } from 'knex';

/**
 * A lease's fencing number: it grows with every new holder (and with a holder that takes its own
 * expired lease back). Whatever a leader writes because it holds the lease is conditional on its
 * number, so a deposed leader's late writes are refused.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cluster_leases', (t) => {
    t.bigInteger('epoch').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cluster_leases', (t) => t.dropColumn('epoch'));
}
