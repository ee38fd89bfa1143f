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
 * knex's sqlite3 client, keeping its statements prepared. knex runs a query as
 * `connection.all(sql, …)`, and node-sqlite3 then prepares a statement, runs it and finalizes it:
 * three trips to the thread pool, each back through the main thread before the next. A module
 * database's one writer connection is held for the whole of every transaction, so under load
 * each trip held it for as long as the main thread took to come back (bench:jobs: the jobs
 * writer busy all the time, 0.6-0.8 ms a statement). Here a connection keeps the statements it
 * ran prepared, by SQL text (the most recently used STATEMENTS_KEPT of them), and a query is one
 * trip; every query through knex gains, the kernel's and the modules' alike.
 */
const knexInternals = createRequire(import.meta.url);
type TransactionClass = new (...args: unknown[]) => { query(conn: unknown, sql: string): Promise<unknown> };
type QueryObject = { sql?: string; bindings?: unknown[]; method?: string; returning?: unknown; response?: unknown; context?: unknown };
const SqliteClient = knexInternals('knex/lib/dialects/sqlite3/index.js') as new (config: Knex.Config) => {
  transaction(...args: unknown[]): unknown;
  _query(connection: RawDb, obj: QueryObject): Promise<QueryObject>;
  destroyRawConnection(connection: RawDb): Promise<void>;
};
const SqliteTransaction = knexInternals('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js') as TransactionClass;

class PreparingSqliteClient extends SqliteClient {
  constructor(config: Knex.Config) {
    super({ ...config, client: 'sqlite3' }); // config.client stays 'sqlite3' for whoever asks which database this is
  }

  /** knex's own `_query`, on a kept statement. */
  override _query(connection: RawDb, obj: QueryObject): Promise<QueryObject> {
    const sql = obj.sql;
    if (!sql) throw new Error('The query is empty');
    const method = obj.method === 'insert' || obj.method === 'update' ? (obj.returning ? 'all' : 'run') : obj.method === 'counter' || obj.method === 'del' ? 'run' : 'all';
    const go = (statement: sqlite3.Statement) =>
      new Promise<QueryObject>((resolve, reject) => {
        statement[method](obj.bindings ?? [], function (this: sqlite3.RunResult, err: Error | null, response: unknown) {
          if (err) return reject(err);
          obj.response = response;
          // What knex reads of the statement after a write, taken now: the statement is shared.
          obj.context = { lastID: this.lastID, changes: this.changes };
          resolve(obj);
        });
      });
    const kept = keptStatement(connection, sql);
    return kept ? go(kept) : prepareKept(connection, sql).then(go);
  }

  /** A connection closes only once its statements are finalized. */
  override async destroyRawConnection(connection: RawDb): Promise<void> {
    await finalizeStatements(connection);
    return super.destroyRawConnection(connection);
  }
}

/**
 * The client above, with transactions that begin IMMEDIATE. knex begins them DEFERRED, and in WAL mode a deferred
 * transaction that has read and then writes fails at once with SQLITE_BUSY when another process
 * wrote in between (its snapshot is stale; busy_timeout is not consulted). Module databases are
 * written by several processes of a cluster (the leader's projections and processes, any
 * member's request handling, the CLI), so every transaction takes the write lock first and waits
 * its turn through busy_timeout. Readers (query_only) keep knex's own.
 */
class ImmediateTransaction extends SqliteTransaction {
  begin(conn: unknown): Promise<unknown> {
    return this.query(conn, 'BEGIN IMMEDIATE;');
  }
}

class ImmediateSqliteClient extends PreparingSqliteClient {
  override transaction(...args: unknown[]): unknown {
    return new ImmediateTransaction(this, ...args);
  }
}

export function openSqlite({ filename, synchronous = 'FULL', cacheKiB = 8192, queryOnly = false, connections = 1 }: SqliteOptions): Knex {
  if (connections > 1 && !queryOnly) throw new Error('a SQLite writer keeps one connection');
  return knexFactory({
    client: (queryOnly ? PreparingSqliteClient : ImmediateSqliteClient) as unknown as Knex.Config['client'],
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

/** Statements kept prepared per connection: enough for every fixed query, while texts that vary (IN lists, multi-row inserts) come and go. */
const STATEMENTS_KEPT = 256;

const statements = new WeakMap<RawDb, Map<string, sqlite3.Statement>>();
const preparing = new WeakMap<RawDb, Map<string, Promise<sqlite3.Statement>>>();

function keptOn(db: RawDb): Map<string, sqlite3.Statement> {
  let kept = statements.get(db);
  if (!kept) statements.set(db, (kept = new Map()));
  return kept;
}

/** Keeps `statement`, finalizing the one used longest ago when too many are kept. */
function keep(db: RawDb, sql: string, statement: sqlite3.Statement): void {
  const kept = keptOn(db);
  kept.set(sql, statement);
  if (kept.size <= STATEMENTS_KEPT) return;
  const [oldest, evicted] = kept.entries().next().value!;
  kept.delete(oldest);
  // Runs after what was asked of it already (node-sqlite3 queues a statement's calls).
  evicted.finalize();
}

/** The kept statement for `sql`, now the most recently used (undefined: none kept). */
function keptStatement(db: RawDb, sql: string): sqlite3.Statement | undefined {
  const kept = keptOn(db);
  const statement = kept.get(sql);
  if (statement) {
    kept.delete(sql);
    kept.set(sql, statement);
  }
  return statement;
}

/** Prepares and keeps a statement; a text that does not prepare (a syntax error, a missing table) rejects and is not kept. */
function prepareKept(db: RawDb, sql: string): Promise<sqlite3.Statement> {
  let inFlight = preparing.get(db);
  if (!inFlight) preparing.set(db, (inFlight = new Map()));
  const pending = inFlight.get(sql);
  if (pending) return pending;
  const promise = new Promise<sqlite3.Statement>((resolve, reject) => {
    const statement = db.prepare(sql, (err) => {
      inFlight.delete(sql);
      if (err) return reject(err);
      keep(db, sql, statement);
      resolve(statement);
    });
  });
  inFlight.set(sql, promise);
  return promise;
}

/** A prepared statement kept per connection and SQL text, for fixed SQL on hot paths. */
export function prepared(db: RawDb, sql: string): sqlite3.Statement {
  const kept = keptStatement(db, sql);
  if (kept) return kept;
  const statement = db.prepare(sql);
  keep(db, sql, statement);
  return statement;
}

/** Finalizes the statements kept on a connection (a connection closes only without them). */
export async function finalizeStatements(db: RawDb): Promise<void> {
  await Promise.all(preparing.get(db)?.values() ?? []).catch(() => undefined);
  const kept = statements.get(db);
  if (!kept) return;
  statements.delete(db);
  await Promise.all([...kept.values()].map((s) => new Promise<void>((resolve) => s.finalize(() => resolve()))));
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
