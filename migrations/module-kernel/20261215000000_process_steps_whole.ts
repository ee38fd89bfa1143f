import type { Knex } from 'knex';

/**
 * A process instance's `step` became text: step labels embed error messages (an SMTP server's
 * refusal can be thousands of characters), and on PostgreSQL a `varchar(100)` made the failure
 * bookkeeping's transaction fail, so the outbox row stayed due and was sent again and again.
 * Process tables are generation tables (`instances_g<n>`), made before this migration with the
 * old type; SQLite does not enforce the length, so only PostgreSQL needs the change.
 */
export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'pg') return;
  const { rows } = (await knex.raw(
    `SELECT table_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'step' AND data_type = 'character varying' AND table_name ~ '^instances_g[0-9]+$'`,
  )) as { rows: { table_name: string }[] };
  for (const { table_name } of rows) {
    await knex.schema.alterTable(table_name, (t) => t.text('step').alter());
  }
}

/** Text stays text: cutting stored steps back to 100 characters would lose what they say. */
export async function down(): Promise<void> {}
