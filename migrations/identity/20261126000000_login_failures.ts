import type { Knex } from 'knex';

/** Failed logins per email (by hash), to slow down guessing. Not derived from events: operational state. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('login_failures', (t) => {
    t.string('account_id', 64).primary();
    t.integer('failures').notNullable();
    t.bigInteger('last_failed_at').notNullable();
    t.bigInteger('locked_until').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('login_failures');
}
