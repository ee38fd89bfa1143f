import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { sleep } from './event-store/subscription.js';

/** The repository's `migrations/` folder, found from this file so it works from any cwd. */
export const MIGRATIONS_ROOT = fileURLToPath(new URL('../../migrations/', import.meta.url));

/**
 * Brings a database to the latest migration of one folder of `migrations/`, recording what ran
 * in its own table so that several migration sets can share a database without meeting.
 * Processes starting together take turns: knex's lock refuses the second at once, or both
 * create knex's own bookkeeping tables and one finds them there; either way it waits and tries
 * again (then finds nothing left to do).
 */
export async function migrateLatest(knex: Knex, folder: string, tableName: string, waitMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const [, applied] = (await knex.migrate.latest({
        directory: `${MIGRATIONS_ROOT}${folder}`,
        tableName,
        loadExtensions: ['.ts', '.js'],
      })) as [number, string[]];
      return applied;
    } catch (error) {
      const message = (error as Error).message;
      const raced = (error as Error).name === 'MigrationLocked' || /already locked/.test(message) || (/already exists/.test(message) && message.includes(tableName));
      if (!raced || Date.now() > deadline) throw error;
      await sleep(100 + Math.random() * 200);
    }
  }
}
