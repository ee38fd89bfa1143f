import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';

/** The repository's `migrations/` folder, found from this file so it works from any cwd. */
export const MIGRATIONS_ROOT = fileURLToPath(new URL('../../migrations/', import.meta.url));

/**
 * Brings a database to the latest migration of one folder of `migrations/`, recording what ran
 * in its own table so that several migration sets can share a database without meeting.
 */
export async function migrateLatest(knex: Knex, folder: string, tableName: string): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({
    directory: `${MIGRATIONS_ROOT}${folder}`,
    tableName,
    loadExtensions: ['.ts', '.js'],
  })) as [number, string[]];
  return applied;
}
