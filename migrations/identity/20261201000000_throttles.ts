import type { Knex } from 'knex';

/**
 * The limits on guessing and sign-ups, replacing `login_failures`: failed logins per account and
 * client address (a lock there never locks the account for anyone else), and attempts per client
 * address in a window. Not derived from events: operational state, forgotten after an hour.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('login_failures');
  await knex.schema.createTable('login_attempts', (t) => {
    t.string('account_id', 64).notNullable();
    t.string('address', 64).notNullable();
    t.integer('failures').notNullable();
    t.bigInteger('locked_until').notNullable();
    t.bigInteger('last_attempt_at').notNullable();
    t.primary(['account_id', 'address']);
    t.index(['last_attempt_at']);
  });
  await knex.schema.createTable('address_limits', (t) => {
    t.string('address', 64).notNullable();
    t.string('action', 20).notNullable();
    t.bigInteger('window_start').notNullable();
    t.integer('count').notNullable();
    t.primary(['address', 'action']);
    t.index(['window_start']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('address_limits');
  await knex.schema.dropTable('login_attempts');
  await knex.schema.createTable('login_failures', (t) => {
    t.string('account_id', 64).primary();
    t.integer('failures').notNullable();
    t.bigInteger('last_failed_at').notNullable();
    t.bigInteger('locked_until').notNullable().defaultTo(0);
  });
}
