import type { Knex } from 'knex';
import knexFactory from 'knex';
import pg from 'pg';
import { ValidationError } from '../../errors.js';

/** knex over pg with the store's schema as search path, plus raw clients for named prepared statements. */

export type PgClient = pg.Client;

/** Plain lower-case identifiers only: they are spliced into SQL text (quoted), never taken from users. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new ValidationError(`schema "${schema}" must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters)`);
  }
}

/**
 * How long PostgreSQL lets a session sit inside a transaction without a statement before it ends
 * the session (its transaction rolls back, its locks go). A process frozen mid-transaction
 * (SIGSTOP, a VM pause) would otherwise hold the rows it locked for good — among them the module
 * fence's row, read FOR SHARE by every fenced write, so a successor could never raise the fence.
 * The kernel's transactions idle only between their statements (milliseconds), so a session idle
 * for 30 s inside one is a frozen process (or a handler holding a transaction across a slow call).
 */
export const IDLE_IN_TRANSACTION_MS = 30_000;

/** pg's connection settings for every pool seams opens: the URL plus the idle-in-transaction limit. */
export function pgConnection(connectionString: string, idleInTransactionMs = IDLE_IN_TRANSACTION_MS): Knex.PgConnectionConfig {
  return { connectionString, idle_in_transaction_session_timeout: idleInTransactionMs } as Knex.PgConnectionConfig;
}

export function openPostgres(connectionString: string, schema: string, poolSize = 10, idleInTransactionMs = IDLE_IN_TRANSACTION_MS): Knex {
  checkSchemaName(schema);
  return knexFactory({
    client: 'pg',
    connection: pgConnection(connectionString, idleInTransactionMs),
    searchPath: [schema],
    pool: { min: 0, max: poolSize },
  });
}

/** Creates the schema unless it exists; two processes starting together may both try. */
export async function ensureSchema(knex: Knex, schema: string): Promise<void> {
  checkSchemaName(schema);
  try {
    await knex.raw(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (error) {
    // IF NOT EXISTS is not atomic: the loser of a race sees a unique violation on pg_namespace.
    if (!['23505', '42P06'].includes(sqlState(error) ?? '')) throw error;
  }
}

/** Drops a schema and everything in it (tests and benchmarks clean up their own schemas with it). */
export async function dropSchema(connectionString: string, schema: string): Promise<void> {
  checkSchemaName(schema);
  const knex = knexFactory({ client: 'pg', connection: { connectionString }, pool: { min: 0, max: 1 } });
  try {
    await knex.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await knex.destroy();
  }
}

type PoolClient = { acquireConnection(): Promise<PgClient>; releaseConnection(c: PgClient): Promise<void> };

/** Runs `fn` with a raw pg client from the knex pool (broken clients are dropped by the pool on release). */
export async function withClient<T>(knex: Knex, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const pool = knex.client as PoolClient;
  const client = await pool.acquireConnection();
  try {
    return await fn(client);
  } finally {
    await pool.releaseConnection(client);
  }
}

/**
 * Runs `fn` holding a session advisory lock on `key`: processes starting together take turns
 * (knex's own migration lock makes a second migrator fail, not wait, and creating a schema or
 * knex's tables is not race-free), and the lock goes with the connection of a holder that dies.
 * It keeps one pooled connection for the lock, so `fn` needs a pool of at least two.
 */
export function withAdvisoryLock<T>(knex: Knex, key: string, fn: () => Promise<T>): Promise<T> {
  return withClient(knex, async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
    }
  });
}

/** The SQLSTATE of an error the server sent, or undefined for anything else (lost connection, bug). */
export function sqlState(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.code : undefined;
}
