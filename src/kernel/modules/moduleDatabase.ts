import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { MIGRATIONS_ROOT, migrateLatest } from '../migrate.js';
import { openSqlite } from '../sqlite/connection.js';

/** Where module databases live. On SQLite each module has its own file (DESIGN.md rule 5). */
export interface ModuleDatabaseConfig {
  kind: 'sqlite';
  dataDir: string;
}

export function moduleDatabaseFile(dataDir: string, module: string): string {
  return join(dataDir, 'modules', `${module}.sqlite`);
}

/**
 * Opens a module's own database and brings it to its latest schema: first the kernel's tables
 * (checkpoints, handled commands), then the module's own `migrations/<module>/`, each set with
 * its own migrations table.
 */
export async function openModuleDatabase(module: string, config: ModuleDatabaseConfig, onMigrated?: (applied: string[]) => void): Promise<Knex> {
  mkdirSync(join(config.dataDir, 'modules'), { recursive: true });
  const db = openSqlite({ filename: moduleDatabaseFile(config.dataDir, module) });
  try {
    const applied = await migrateModuleDatabase(db, module);
    onMigrated?.(applied);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

export async function migrateModuleDatabase(db: Knex, module: string): Promise<string[]> {
  const applied = await migrateLatest(db, 'module-kernel', 'kernel_migrations');
  if (existsSync(join(MIGRATIONS_ROOT, module))) applied.push(...(await migrateLatest(db, module, 'migrations')));
  return applied;
}
