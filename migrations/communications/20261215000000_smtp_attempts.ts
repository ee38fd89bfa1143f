import type { Knex } from 'knex';

/**
 * SMTP hand-overs whose outcome is not known (the connection broke after the message went out, a
 * crash): per mail, the fencing number it was handed over under. A mail goes to the SMTP server
 * at most once per number; a definite answer (accepted, or refused with a code) clears the doubt.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('smtp_attempts', (t) => {
    t.string('mail_id', 36).primary();
    t.bigInteger('epoch').notNullable();
    t.bigInteger('attempted_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('smtp_attempts');
}
