import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Knex } from 'knex';
import knexFactory from 'knex';
import { checkSchemaName, ensureSchema } from '../event-store/postgres/connection.js';
import { MIGRATIONS_ROOT, migrateLatest } from '../migrate.js';
import { openSqlite } from '../sqlite/connection.js';
import type { ModuleDatabaseConfig } from '../types/config.js';

export function moduleDatabaseFile(dataDir: string, module: string): string {
  return join(dataDir, 'modules', `${module}.sqlite`);
}

/** The schema (and role) name of a module on PostgreSQL. */
export function moduleSchema(module: string, prefix = ''): string {
  const schema = `${prefix}${module.replace(/-/g, '_')}`;
  checkSchemaName(schema);
  return schema;
}

/**
 * Opens a module's own database and brings it to its latest schema: first the kernel's tables
 * (checkpoints, handled commands), then the module's own `migrations/<module>/`, each set with
 * its own migrations table.
 */
export async function openModuleDatabase(module: string, config: ModuleDatabaseConfig, onMigrated?: (applied: string[]) => void): Promise<Knex> {
  const db = config.kind === 'sqlite' ? openSqliteModule(module, config.dataDir) : await openPostgresModule(module, config);
  try {
    const applied = await migrateModuleDatabase(db, module);
    onMigrated?.(applied);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

function openSqliteModule(module: string, dataDir: string): Knex {
  mkdirSync(join(dataDir, 'modules'), { recursive: true });
  return openSqlite({ filename: moduleDatabaseFile(dataDir, module) });
}

async function openPostgresModule(module: string, config: Extract<ModuleDatabaseConfig, { kind: 'postgres' }>): Promise<Knex> {
  const schema = moduleSchema(module, config.schemaPrefix);
  const admin = knexFactory({ client: 'pg', connection: { connectionString: config.connectionString }, pool: { min: 0, max: 1 } });
  try {
    if (config.moduleRoles) {
      // The role owns its schema and nothing else: no other module's role can even look into it.
      await admin.raw(`DO $$ BEGIN CREATE ROLE "${schema}" LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
      await admin.raw(`CREATE SCHEMA IF NOT EXISTS "${schema}" AUTHORIZATION "${schema}"`);
      await admin.raw(`ALTER SCHEMA "${schema}" OWNER TO "${schema}"`);
      await admin.raw(`REVOKE ALL ON SCHEMA "${schema}" FROM PUBLIC`);
    } else {
      await ensureSchema(admin, schema);
    }
  } finally {
    await admin.destroy();
  }
  return knexFactory({
    client: 'pg',
    connection: { connectionString: config.moduleRoles ? asRole(config.connectionString, schema) : config.connectionString },
    searchPath: [schema],
    pool: { min: 0, max: 5 },
  });
}

/** The same server and database, as another role (pg lets the URL's user win over a `user` option). */
function asRole(connectionString: string, role: string): string {
  const url = new URL(connectionString);
  url.username = role;
  url.password = '';
  return url.toString();
}

export async function migrateModuleDatabase(db: Knex, module: string): Promise<string[]> {
  const applied = await migrateLatest(db, 'module-kernel', 'kernel_migrations');
  if (existsSync(join(MIGRATIONS_ROOT, module))) applied.push(...(await migrateLatest(db, module, 'migrations')));
  return applied;
}
