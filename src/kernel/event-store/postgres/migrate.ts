import type { Knex } from 'knex';
import { migrateLatest } from '../../migrate.js';
import { ensureSchema, withClient } from './connection.js';

/**
 * Creates the schema and brings its tables to the latest migration. Processes that start
 * together take turns under a session advisory lock: knex's own migration lock makes a second
 * migrator fail instead of wait, and creating the migrations table is not race-free.
 */
export async function migrateEventStore(knex: Knex, schema: string): Promise<void> {
  const key = `seams.event-store.${schema}`;
  await withClient(knex, async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    try {
      await ensureSchema(knex, schema);
      await migrateLatest(knex, 'event-store-postgres', 'event_store_migrations');
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
    }
  });
}
