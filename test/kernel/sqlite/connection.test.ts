import { join } from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openSqlite } from '../../../src/kernel/sqlite/connection.js';
import sqlite3 from 'sqlite3';
import { tempDir } from '../../support/tempDir.js';

/**
 * Two processes writing one module database (the leader's projections, another member's request
 * handling, the CLI). knex begins transactions DEFERRED; in WAL mode one that has read and then
 * writes, after the other process wrote in between, fails at once with SQLITE_BUSY ("database is
 * locked"), busy_timeout unconsulted. Chaos seed 1 (SQLite, ten minutes) parked a stream on it.
 * Transactions on openSqlite connections begin IMMEDIATE: the second writer waits its turn.
 */
describe('SQLite transactions take the write lock first (BEGIN IMMEDIATE)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let one: Knex;
  let other: Knex;

  beforeEach(async () => {
    dir = await tempDir('seams-immediate-');
    const filename = join(dir.path, 'm.sqlite');
    one = openSqlite({ filename });
    other = openSqlite({ filename });
    await one.raw('CREATE TABLE t (k TEXT PRIMARY KEY)');
  });
  afterEach(async () => {
    await one.destroy();
    await other.destroy();
    await dir.cleanup();
  });

  it('a transaction that read, then writes after another connection tried to write meanwhile, commits; the other write follows it', async () => {
    const order: string[] = [];
    let otherWrite: Promise<unknown> | undefined;
    await one.transaction(async (trx) => {
      expect(await trx('t').select()).to.deep.equal([]);
      otherWrite = other('t').insert({ k: 'other' }).then(() => order.push('other'));
      await new Promise((resolve) => setTimeout(resolve, 150)); // the other connection is waiting for the lock by now
      await trx('t').insert({ k: 'one' });
      order.push('one');
    });
    await otherWrite;
    expect(order).to.deep.equal(['one', 'other']);
    expect(await one('t').orderBy('k').pluck('k')).to.deep.equal(['one', 'other']);
  });

  it('still says it is sqlite3 (durableWrite, migrations, the fence and the database clock ask which database it is)', () => {
    expect(one.client.config.client).to.equal('sqlite3');
  });

  it('a reader (query_only) keeps reading beside a writer’s open transaction', async () => {
    const reader = openSqlite({ filename: join(dir.path, 'm.sqlite'), queryOnly: true });
    try {
      await one.transaction(async (trx) => {
        await trx('t').insert({ k: 'uncommitted' });
        expect(await reader('t').select()).to.deep.equal([]);
      });
      expect(await reader('t').pluck('k')).to.deep.equal(['uncommitted']);
    } finally {
      await reader.destroy();
    }
  });
});

/**
 * knex's sqlite3 client prepares, runs and finalizes a statement for every query, three trips to
 * the thread pool; openSqlite's connections keep their statements prepared by SQL text.
 */
describe('SQLite connections keep their statements prepared', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Knex;
  let prepares: string[];
  const prepare = sqlite3.Database.prototype.prepare;

  beforeEach(async () => {
    dir = await tempDir('seams-kept-');
    db = openSqlite({ filename: join(dir.path, 'm.sqlite') });
    await db.raw('CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT)');
    prepares = [];
    sqlite3.Database.prototype.prepare = function (this: sqlite3.Database, sql: string, ...rest: unknown[]) {
      prepares.push(sql);
      return (prepare as (...a: unknown[]) => sqlite3.Statement).call(this, sql, ...rest);
    } as typeof prepare;
  });
  afterEach(async () => {
    sqlite3.Database.prototype.prepare = prepare;
    await db.destroy();
    await dir.cleanup();
  });

  it('the same query a hundred times prepares once, and answers each time what is there then', async () => {
    for (let i = 0; i < 100; i++) {
      await db('t').insert({ k: `k${i}` });
      expect(await db('t').count({ n: '*' }).first()).to.deep.equal({ n: i + 1 });
    }
    const counted = prepares.filter((sql) => sql.startsWith('select count'));
    expect(counted).to.have.length(1);
    expect(prepares.filter((sql) => sql.startsWith('insert'))).to.have.length(1);
  });

  it("answers knex's ids and counts for writes of one text in flight at once", async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => db('t').insert({ k: `k${i}` })));
    const rows = (await db('t').orderBy('id')) as { id: number; k: string }[];
    expect(ids.map(([id]) => rows.find((r) => r.id === id)?.k)).to.deep.equal(rows.map((_, i) => `k${i}`));
    const updated = await Promise.all(rows.map((r) => db('t').where({ id: r.id }).update({ k: 'x' })));
    expect(updated).to.deep.equal(rows.map(() => 1));
    expect(await db('t').where('id', '<=', 5).del()).to.equal(5);
  });

  it('a query that does not prepare fails with SQLite’s error, is not kept, and the connection goes on', async () => {
    const failure = await db.raw('SELEC 1').catch((error: unknown) => error);
    expect(String(failure)).to.match(/syntax error/);
    expect(String(await db.raw('SELEC 1').catch((error: unknown) => error))).to.match(/syntax error/);
    expect(prepares.filter((sql) => sql === 'SELEC 1')).to.have.length(2);
    expect(await db('t').select()).to.deep.equal([]);
  });

  it('keeps the most recently used 256: more texts than that come and go, the table can still be dropped and the connection closes', async () => {
    for (let i = 0; i < 300; i++) await db('t').where('id', '>', i).select('k', db.raw(`${i} as n`));
    prepares = [];
    await db('t').where('id', '>', 299).select('k', db.raw('299 as n')); // kept
    await db('t').where('id', '>', 0).select('k', db.raw('0 as n')); // the first, long gone
    expect(prepares).to.have.length(1);
    expect(prepares[0]).to.match(/0 as n/);
    await db.raw('DROP TABLE t');
    await db.destroy(); // rejects with SQLITE_BUSY should a statement be left unfinalized
    db = openSqlite({ filename: join(dir.path, 'm.sqlite') });
    expect(await db.raw("SELECT name FROM sqlite_master WHERE name = 't'")).to.deep.equal([]);
  });
});
