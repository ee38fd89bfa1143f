import type { Knex } from 'knex';
import { exec, run, withRaw } from './connection.js';

/**
 * One write that must be on disk before it returns, on a database whose connection otherwise
 * commits with synchronous=NORMAL (a module's database: docs/DESIGN.md, "How durable a module's
 * database is"). On SQLite the connection is held, switched to FULL for this one statement (in WAL
 * mode its fsync also covers every earlier commit) and back; elsewhere it is an ordinary statement,
 * as PostgreSQL's commits are durable already.
 */
export async function durableWrite(knex: Knex, sql: string, params: unknown[]): Promise<void> {
  if (knex.client.config.client !== 'sqlite3') {
    await knex.raw(sql, params as Knex.RawBinding[]);
    return;
  }
  await withRaw(knex, async (db) => {
    await exec(db, 'PRAGMA synchronous = FULL');
    try {
      // Not a cached prepared statement: the connection's cache is for hot paths, this is one write per request at most.
      await new Promise<void>((resolve, reject) => {
        const statement = db.prepare(sql, (err) => {
          if (err) return reject(err);
          run(statement, params).then(resolve, reject).finally(() => statement.finalize());
        });
      });
    } finally {
      await exec(db, 'PRAGMA synchronous = NORMAL');
    }
  });
}
