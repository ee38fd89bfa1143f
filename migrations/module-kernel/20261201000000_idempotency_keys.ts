import type { Knex } from 'knex';

/**
 * Idempotency keys of the POST requests this module answered (API.md, "General rules"): per
 * caller and key, the request's hash and, once it is answered, the answer (sealed: it may hold a
 * token). Kept 24 hours; an in-flight row names the attempt that owns it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.string('caller', 300).notNullable();
    t.string('key', 255).notNullable();
    t.string('request_hash', 64).notNullable();
    t.string('attempt', 36).notNullable();
    t.string('state', 10).notNullable();
    t.text('answer');
    t.bigInteger('created_at').notNullable();
    t.primary(['caller', 'key']);
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('idempotency_keys');
}
