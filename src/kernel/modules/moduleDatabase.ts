import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import knexFactory from 'knex';
import { checkSchemaName, ensureSchema, pgConnection } from '../event-store/postgres/connection.js';
import { migrateLatest } from '../migrate.js';
import { ValidationError } from '../errors.js';
import { privateDir, privateSqliteFile } from '../privateFiles.js';
import { openSqlite } from '../sqlite/connection.js';
import type { ModuleDatabaseConfig } from '../types/config.js';
import type { ModuleDefinition } from '../types/module.js';

/** A module as its database sees it: a name, and maybe a folder of migrations of its own. */
export type ModuleWithMigrations = string | Pick<ModuleDefinition, 'name' | 'migrations'>;

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
 * (checkpoints, handled commands), then the module's own (its definition's `migrations` folder,
 * in the application), each set with its own migrations table.
 */
export async function openModuleDatabase(definition: ModuleWithMigrations, config: ModuleDatabaseConfig, onMigrated?: (applied: string[]) => void): Promise<Knex> {
  const module = typeof definition === 'string' ? definition : definition.name;
  const db = config.kind === 'sqlite' ? openSqliteModule(module, config.dataDir) : await openPostgresModule(module, config);
  try {
    const applied = await migrateModuleDatabase(db, typeof definition === 'string' ? undefined : definition.migrations);
    onMigrated?.(applied);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

/**
 * Read connections to a module's SQLite database, for reads that must not wait in line behind the
 * writer's transactions (WAL: a reader sees every committed write and blocks nobody): HTTP GETs
 * and handled-command looks. They refuse writes. Two: bench:http's reads went from one
 * connection's 1,711/s to 2,274/s with two (medians of 3); three did no better on 2 cores. (The
 * revocation check of every authenticated request stays on the writer: on the reader it cost
 * writes a fifth, 2,237/s → 1,829/s, and reads did not gain.) None on PostgreSQL, whose pool has
 * connections enough.
 */
const READ_CONNECTIONS = 2;

export function openModuleReader(module: string, config: ModuleDatabaseConfig): Knex | undefined {
  if (config.kind !== 'sqlite') return undefined;
  return openSqlite({ filename: moduleDatabaseFile(config.dataDir, module), synchronous: 'NORMAL', queryOnly: true, connections: READ_CONNECTIONS });
}

function openSqliteModule(module: string, dataDir: string): Knex {
  privateDir(dataDir);
  privateDir(join(dataDir, 'modules'));
  // NORMAL, not FULL: in WAL mode a commit survives the process's crash either way; only an operating
  // system crash or power cut may undo the last commits, and everything here is re-derived from the
  // log (docs/DESIGN.md, "How durable a module's database is"). The one exception writes with durableWrite.
  return openSqlite({ filename: privateSqliteFile(moduleDatabaseFile(dataDir, module)), synchronous: 'NORMAL' });
}

async function openPostgresModule(module: string, config: Extract<ModuleDatabaseConfig, { kind: 'postgres' }>): Promise<Knex> {
  const schema = moduleSchema(module, config.schemaPrefix);
  const password = config.moduleRoles ? rolePassword(schema, config.rolePasswords ?? {}) : undefined;
  const admin = knexFactory({ client: 'pg', connection: { connectionString: config.connectionString }, pool: { min: 0, max: 1 } });
  try {
    if (password) {
      // The role owns its schema and nothing else: no other module's role can even look into it.
      await admin.raw(`DO $$ BEGIN CREATE ROLE "${schema}" LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
      // Set on every start, so the role works under password authentication with the password this process has.
      await admin.raw(`ALTER ROLE "${schema}" WITH LOGIN PASSWORD '${password}'`);
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
    connection: pgConnection(password ? asRole(config.connectionString, schema, password) : config.connectionString),
    searchPath: [schema],
    pool: { min: 0, max: 5 },
  });
}

/** The same server and database, as another role (pg lets the URL's user win over a `user` option). */
function asRole(connectionString: string, role: string, password: string): string {
  const url = new URL(connectionString);
  url.username = role;
  url.password = password;
  return url.toString();
}

/**
 * A module role's password: derived from the secret when one is given (so every member of a
 * cluster, on any machine, agrees), else generated once into `<dataDir>/pg-roles/<role>`, 0600.
 * Base64url: it can stand in SQL quotes and in a URL as it is.
 */
export function rolePassword(role: string, from: { secret?: string; dataDir?: string }): string {
  if (from.secret) return createHmac('sha256', from.secret).update(`seams pg role ${role}`).digest('base64url');
  if (!from.dataDir) throw new ValidationError('PostgreSQL module roles need SEAMS_PG_ROLE_SECRET or a data directory to keep their passwords in');
  const file = join(privateDir(join(from.dataDir, 'pg-roles')), role);
  if (!existsSync(file)) {
    // Written whole beside it, then linked into place: another process of this data directory sees all of it or none, and the first one wins.
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(draft, randomBytes(24).toString('base64url'), { mode: 0o600, flag: 'wx' });
    try {
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(draft);
    }
  }
  return readFileSync(file, 'utf8').trim();
}

export async function migrateModuleDatabase(db: Knex, migrations?: string | URL): Promise<string[]> {
  const applied = await migrateLatest(db, 'module-kernel', 'kernel_migrations');
  const folder = migrations === undefined ? undefined : migrations instanceof URL ? fileURLToPath(migrations) : resolve(migrations);
  if (folder && existsSync(folder)) applied.push(...(await migrateLatest(db, folder, 'migrations')));
  return applied;
}
