import type { Knex } from 'knex';

/** A conversation read in one index range: the events whose metadata carries one correlation id, in log order. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX events_correlation ON events ((metadata::jsonb ->> 'correlationId'), position)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX events_correlation');
}
