import { join } from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openSqlite } from '../../../src/kernel/sqlite/connection.js';
import { durableWrite } from '../../../src/kernel/sqlite/durable.js';
import { moduleSchema, openModuleDatabase } from '../../../src/kernel/host.js';
import { dropSchema } from '../../../src/kernel/event-store/postgres/connection.js';
import { describePostgres, randomSchema } from '../../support/postgres.js';
import { tempDir } from '../../support/tempDir.js';

const level = async (db: Knex) => ((await db.raw('PRAGMA synchronous')) as { synchronous: number }[])[0]!.synchronous;

describe('durableWrite: one write on disk before it returns, on a connection that commits NORMAL', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Knex;

  beforeEach(async () => {
    dir = await tempDir('seams-durable-');
    db = openSqlite({ filename: join(dir.path, 'm.sqlite'), synchronous: 'NORMAL' });
    await db.raw('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)');
    await db('t').insert({ k: 'a', v: 'before' });
  });
  afterEach(async () => {
    await db.destroy();
    await dir.cleanup();
  });

  it('writes at synchronous=FULL and leaves the connection at NORMAL (1) for everything else', async () => {
    const seen: number[] = [];
    // What the connection's level is while the write runs: a trigger cannot ask, so a query raced in behind it can.
    const during = durableWrite(db, 'UPDATE t SET v = ? WHERE k = ?', ['after', 'a']);
    seen.push(await level(db));
    await during;
    expect((await db('t').where({ k: 'a' }).first()).v).to.equal('after');
    expect(await level(db)).to.equal(1);
    // The query behind the held connection ran once it was back at NORMAL: no write of others runs at FULL by accident, or NORMAL inside ours.
    expect(seen).to.deep.equal([1]);
  });

  it('fails as the statement fails, and the connection is back at NORMAL', async () => {
    let error: Error | undefined;
    await durableWrite(db, 'UPDATE nowhere SET v = ?', ['x']).catch((e: Error) => (error = e));
    expect(error?.message).to.match(/no such table: nowhere/);
    expect(await level(db)).to.equal(1);
  });
});

await describePostgres('durableWrite on a module database on PostgreSQL: an ordinary statement (commits there are durable already)', (url) => {
  it('writes the row, with the same statement text as on SQLite', async function () {
    this.timeout(20_000);
    const prefix = `${randomSchema('seams_t')}_`;
    const db = await openModuleDatabase('shop', { kind: 'postgres', connectionString: url, schemaPrefix: prefix });
    try {
      await db.raw('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)');
      await db('t').insert({ k: 'a', v: 'before' });
      await durableWrite(db, 'UPDATE t SET v = ? WHERE "k" = ?', ['after', 'a']);
      expect((await db('t').where({ k: 'a' }).first()).v).to.equal('after');
    } finally {
      await db.destroy();
      await dropSchema(url, moduleSchema('shop', prefix));
    }
  });
});
