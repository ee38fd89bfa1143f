import { join } from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openSqlite } from '../../../src/kernel/sqlite/connection.js';
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
