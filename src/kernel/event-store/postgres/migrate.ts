import type { Knex } from 'knex';
import { migrateLatest } from '../../migrate.js';
import { ensureSchema, withAdvisoryLock } from './connection.js';

/**
 * Creates the schema and brings its tables to the latest migration. Processes that start
 * together take turns under a session advisory lock: knex's own migration lock makes a second
 * migrator fail instead of wait, and creating the migrations table is not race-free.
 */
export async function migrateEventStore(knex: Knex, schema: string): Promise<void> {
  await withAdvisoryLock(knex, `seams.event-store.${schema}`, async () => {
    await ensureSchema(knex, schema);
    await migrateLatest(knex, 'event-store-postgres', 'event_store_migrations');
  });
}
