import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import sqlite3 from 'sqlite3';
import { withAdvisoryLock } from './event-store/postgres/connection.js';
import { sleep } from './event-store/subscription.js';
import { privateSqliteFile } from './privateFiles.js';

/**
 * The kernel's own migrations (event-store, event-store-postgres, cluster, module-kernel), found
 * from this file so it works from any cwd: the repository's `migrations/` when run from source,
 * the package's `dist/migrations/` when installed (the build keeps the same layout). Modules'
 * migrations are the application's, not the kernel's: each module says where (`migrations`).
 */
export const MIGRATIONS_ROOT = fileURLToPath(new URL('../../migrations/', import.meta.url));

/**
 * Brings a database to the latest migration of one folder (a kernel folder of MIGRATIONS_ROOT by
 * name, or an absolute path: a module's own), recording what ran
 * in its own table so that several migration sets can share a database without meeting.
 *
 * Processes starting together take turns. knex's own lock is a row that refuses the second
 * migrator at once and stays taken when its holder dies or fails to free it (on SQLite, a busy
 * database at the wrong moment is enough), which left every later start waiting for nothing.
 * So on SQLite the turn is an exclusive lock on a side file, held by the operating system and
 * gone with the process; whoever holds it may free a stale knex lock. On PostgreSQL the turn is a
 * session advisory lock (gone with a dead holder's connection), likewise. Whatever the client, a
 * refusal or a raced bookkeeping table is retried. (It takes a second pooled connection.)
 */
export async function migrateLatest(knex: Knex, folder: string, tableName: string, waitMs = 60_000): Promise<string[]> {
  const run = async () => {
    const [, applied] = (await knex.migrate.latest({ directory: isAbsolute(folder) ? folder : join(MIGRATIONS_ROOT, folder), tableName, loadExtensions: ['.ts', '.js'] })) as [number, string[]];
    return applied;
  };
  const file = sqliteFile(knex);
  if (file) {
    return withFileMutex(`${file}.migrating`, waitMs, async () => {
      await knex.migrate.forceFreeMigrationsLock({ tableName });
      return run();
    });
  }
  const schema = postgresSchema(knex);
  if (schema !== undefined) {
    // PostgreSQL: the turn is a session advisory lock, gone with the connection of a migrator
    // that dies (SIGKILL), so its holder may free a knex lock left taken by one.
    return withAdvisoryLock(knex, `seams.migrations.${schema}.${tableName}`, async () => {
      await knex.migrate.forceFreeMigrationsLock({ tableName });
      return retried(run, tableName, waitMs);
    });
  }
  return retried(run, tableName, waitMs);
}

/** Runs a migration again while another migrator holds knex's lock or raced to create its table, until `waitMs` passed. */
async function retried(run: () => Promise<string[]>, tableName: string, waitMs: number): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await run();
    } catch (error) {
      const message = (error as Error).message;
      const raced = (error as Error).name === 'MigrationLocked' || /already locked/.test(message) || (/already exists/.test(message) && message.includes(tableName));
      if (!raced || Date.now() > deadline) throw error;
      await sleep(100 + Math.random() * 200);
    }
  }
}

/** The schema (search path) of a knex over pg, '' for the default one, or undefined for other clients. */
function postgresSchema(knex: Knex): string | undefined {
  const config = knex.client.config as { client?: unknown; searchPath?: string | string[] };
  if (config.client !== 'pg') return undefined;
  return [config.searchPath ?? ''].flat().join(',');
}

/** The file behind a knex over sqlite3, or undefined for other clients and in-memory databases. */
function sqliteFile(knex: Knex): string | undefined {
  const config = knex.client.config as { client?: unknown; connection?: { filename?: string } };
  const filename = config.client === 'sqlite3' ? config.connection?.filename : undefined;
  return filename && filename !== ':memory:' && !filename.startsWith('file::memory:') ? filename : undefined;
}

/** Runs `fn` holding an exclusive SQLite lock on `lockFile`: one holder across processes, freed when it ends or dies. */
async function withFileMutex<T>(lockFile: string, waitMs: number, fn: () => Promise<T>): Promise<T> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened: sqlite3.Database = new sqlite3.Database(privateSqliteFile(lockFile), (err) => (err ? reject(err) : resolve(opened)));
  });
  const exec = (sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
  try {
    db.configure('busyTimeout', waitMs);
    await exec('BEGIN EXCLUSIVE');
    try {
      return await fn();
    } finally {
      await exec('ROLLBACK');
    }
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}
