import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import knexFactory from 'knex';
import type sqlite3 from 'sqlite3';

/**
 * knex over sqlite3 with one connection per knex instance that writes (a larger pool misbehaves
 * with sqlite3's transactions), plus access to that raw connection for prepared statements on
 * hot paths; a read-only instance may have a few.
 */

export type RawDb = sqlite3.Database;
export type Synchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

export interface SqliteOptions {
  filename: string;
  synchronous?: Synchronous;
  /** Page cache per connection, in KiB: memory traded for fewer reads of index pages. */
  cacheKiB?: number;
  /** A connection that refuses writes (PRAGMA query_only): a reader beside the writer. */
  queryOnly?: boolean;
  /**
   * Connections in the pool; more than one only for a query_only reader. A writer keeps one: its
   * transactions and cached prepared statements live on that connection, and SQLite has one
   * writer anyway. Readers of a WAL database run side by side, each on a thread-pool thread.
   */
  connections?: number;
}

/**
 * knex's sqlite3 client with transactions that begin IMMEDIATE. knex begins them DEFERRED, and
 * in WAL mode a deferred transaction that has read and then writes fails at once with SQLITE_BUSY
 * when another process wrote in between (its snapshot is stale; busy_timeout is not consulted).
 * Module databases are written by several processes of a cluster (the leader's projections and
 * processes, any member's request handling, the CLI), so every transaction takes the write lock
 * first and waits its turn through busy_timeout. Readers (query_only) keep knex's own.
 */
const knexInternals = createRequire(import.meta.url);
type TransactionClass = new (...args: unknown[]) => { query(conn: unknown, sql: string): Promise<unknown> };
const SqliteClient = knexInternals('knex/lib/dialects/sqlite3/index.js') as new (config: Knex.Config) => { transaction(...args: unknown[]): unknown };
const SqliteTransaction = knexInternals('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js') as TransactionClass;

class ImmediateTransaction extends SqliteTransaction {
  begin(conn: unknown): Promise<unknown> {
    return this.query(conn, 'BEGIN IMMEDIATE;');
  }
}

class ImmediateSqliteClient extends SqliteClient {
  constructor(config: Knex.Config) {
    super({ ...config, client: 'sqlite3' }); // config.client stays 'sqlite3' for whoever asks which database this is
  }

  override transaction(...args: unknown[]): unknown {
    return new ImmediateTransaction(this, ...args);
  }
}

export function openSqlite({ filename, synchronous = 'FULL', cacheKiB = 8192, queryOnly = false, connections = 1 }: SqliteOptions): Knex {
  if (connections > 1 && !queryOnly) throw new Error('a SQLite writer keeps one connection');
  return knexFactory({
    client: (queryOnly ? 'sqlite3' : ImmediateSqliteClient) as Knex.Config['client'],
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: connections,
      // Keep the connections forever: prepared statements are cached on them.
      idleTimeoutMillis: Number.MAX_SAFE_INTEGER,
      afterCreate(conn: RawDb, done: (err: Error | null, conn: RawDb) => void) {
        conn.exec(
          `PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA cache_size = -${cacheKiB}; PRAGMA temp_store = MEMORY;${queryOnly ? ' PRAGMA query_only = ON;' : ''}`,
          (err) => done(err, conn),
        );
      },
    },
  });
}

type PoolClient = { acquireConnection(): Promise<RawDb>; releaseConnection(c: RawDb): Promise<void> };

/** Takes the instance's one raw connection out of its pool; knex queries wait until `release`. */
export function acquire(knex: Knex): Promise<RawDb> {
  return (knex.client as PoolClient).acquireConnection();
}

export function release(knex: Knex, db: RawDb): Promise<void> {
  return (knex.client as PoolClient).releaseConnection(db);
}

/** Runs `fn` with the raw connection, holding it (and so the knex pool) until `fn` settles. */
export async function withRaw<T>(knex: Knex, fn: (db: RawDb) => Promise<T>): Promise<T> {
  const db = await acquire(knex);
  try {
    return await fn(db);
  } finally {
    await release(knex, db);
  }
}

const statements = new WeakMap<RawDb, Map<string, sqlite3.Statement>>();

/** A prepared statement cached per connection and SQL text. */
export function prepared(db: RawDb, sql: string): sqlite3.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}

/** Finalizes the statements cached on a connection (a connection closes only without them). */
export async function finalizeStatements(db: RawDb): Promise<void> {
  const cache = statements.get(db);
  if (!cache) return;
  statements.delete(db);
  await Promise.all([...cache.values()].map((s) => new Promise<void>((resolve) => s.finalize(() => resolve()))));
}

export function all<T>(statement: sqlite3.Statement, params: unknown[]): Promise<T[]> {
  return new Promise((resolve, reject) => statement.all(params, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
}

export function run(statement: sqlite3.Statement, params: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => statement.run(params, (err) => (err ? reject(err) : resolve())));
}

export function exec(db: RawDb, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
}
