import { join } from 'node:path';
import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { dropSchema } from '../../../src/kernel/event-store/postgres/connection.js';
import { openSqlite } from '../../../src/kernel/sqlite/connection.js';
import { inline, insertRows, literal, sendTogether, writeTogether, type Statement } from '../../../src/kernel/sqlite/oneTrip.js';
import { describePostgres, randomSchema } from '../../support/postgres.js';
import { sqliteTripsDuring as tripsDuring } from '../../support/sqliteTrips.js';
import { tempDir } from '../../support/tempDir.js';

const insert = (k: string, v: unknown): Statement => ({ sql: 'INSERT INTO t (k, v) VALUES (?, ?)', bindings: [k, v] });

describe('writeTogether: a write transaction whose statements need nothing back, in one round trip on SQLite', () => {
  describe('literals', () => {
    it('writes numbers, text (quotes doubled), null and booleans as SQLite reads them', () => {
      expect(literal(42)).to.equal('42');
      expect(literal(-1.5)).to.equal('-1.5');
      expect(literal("it's")).to.equal("'it''s'");
      expect(literal(null)).to.equal('NULL');
      expect(literal(undefined)).to.equal('NULL');
      expect(literal(true)).to.equal('1');
      expect(inline({ sql: 'UPDATE t SET v = ? WHERE k IN (?, ?)', bindings: ['a?b', 1, 2] })).to.equal("UPDATE t SET v = 'a?b' WHERE k IN (1, 2)");
    });

    it('refuses what has no literal, and placeholders that do not match the values', () => {
      expect(() => literal(Number.NaN)).to.throw(/no SQL literal/);
      expect(() => literal('a\0b')).to.throw(/NUL/);
      expect(() => literal({})).to.throw(/cannot be written inline/);
      expect(() => inline({ sql: 'SELECT ?', bindings: [] })).to.throw(/1 placeholders for 0 values/);
    });
  });

  describe('on SQLite', () => {
    let dir: Awaited<ReturnType<typeof tempDir>>;
    let db: Knex;

    beforeEach(async () => {
      dir = await tempDir('seams-one-trip-');
      db = openSqlite({ filename: join(dir.path, 'm.sqlite') });
      await db.raw('CREATE TABLE t (k TEXT PRIMARY KEY, v)');
    });
    afterEach(async () => {
      await db.destroy();
      await dir.cleanup();
    });

    it('writes every statement in one script: BEGIN IMMEDIATE, the statements, COMMIT', async () => {
      const trips = await tripsDuring(() => writeTogether(db, [insert('a', "O'Brien; DROP TABLE t; --"), insert('b', 2.5), insert('c', null)]));
      expect(trips.scripts).to.have.length(1);
      expect(trips.scripts[0]).to.match(/^BEGIN IMMEDIATE;[\s\S]*COMMIT;$/);
      expect(trips.statements).to.equal(0);
      expect(await db('t').orderBy('k')).to.deep.equal([
        { k: 'a', v: "O'Brien; DROP TABLE t; --" },
        { k: 'b', v: 2.5 },
        { k: 'c', v: null },
      ]);
    });

    it('writes all or nothing: a statement failing part way undoes those before it, and the connection takes the next transaction', async () => {
      await db('t').insert({ k: 'taken', v: 0 });
      let failure: unknown;
      await writeTogether(db, [insert('first', 1), insert('taken', 2), insert('third', 3)]).catch((error) => (failure = error));
      expect(String(failure)).to.match(/UNIQUE constraint failed/);
      expect(await db('t').pluck('k')).to.deep.equal(['taken']);
      await writeTogether(db, [insert('after', 4)]);
      await db.transaction(async (trx) => trx('t').insert({ k: 'knex', v: 5 }));
      expect(await db('t').orderBy('k').pluck('k')).to.deep.equal(['after', 'knex', 'taken']);
    });

    it('goes with bound values, statement by statement in one transaction, when a value cannot be written inline (text holding NUL)', async () => {
      const trips = await tripsDuring(() => writeTogether(db, [insert('nul', 'a\0b'), insert('plain', 'x')]));
      expect(trips.scripts).to.deep.equal([]);
      expect(await db('t').where({ k: 'nul' }).first()).to.deep.equal({ k: 'nul', v: 'a\0b' });
      expect(await db('t').where({ k: 'plain' }).first()).to.deep.equal({ k: 'plain', v: 'x' });
    });

    it('sendTogether: statements inside a transaction in one script, taken back with it when the transaction fails later', async () => {
      let trips = await tripsDuring(() => db.transaction((trx) => sendTogether(trx, [insert('a', 1), insertRows('t', [{ k: 'a', v: 2 }, { k: 'b', v: 3 }], ['k'])])));
      expect(trips.scripts).to.have.length(1);
      expect(await db('t').orderBy('k')).to.deep.equal([{ k: 'a', v: 2 }, { k: 'b', v: 3 }]);
      const failure = await db
        .transaction(async (trx) => {
          await sendTogether(trx, [insert('c', 4), { sql: 'DELETE FROM t WHERE k = ?', bindings: ['a'] }]);
          expect(await trx('t').orderBy('k').pluck('k')).to.deep.equal(['b', 'c']); // the transaction sees its own writes
          throw new Error('later');
        })
        .catch((error: unknown) => error);
      expect(String(failure)).to.match(/later/);
      expect(await db('t').orderBy('k').pluck('k')).to.deep.equal(['a', 'b']);
      trips = await tripsDuring(() => db.transaction((trx) => sendTogether(trx, [insert('nul', 'x\0y')])));
      expect(trips.scripts).to.deep.equal([]);
      expect(await db('t').where({ k: 'nul' }).first()).to.deep.equal({ k: 'nul', v: 'x\0y' });
    });

    it('waits for a knex transaction holding the connection, and is not interleaved into it', async () => {
      const order: string[] = [];
      let together: Promise<void> | undefined;
      await db.transaction(async (trx) => {
        await trx('t').insert({ k: 'inside', v: 1 });
        together = writeTogether(db, [insert('together', 2)]).then(() => void order.push('together'));
        await new Promise((resolve) => setTimeout(resolve, 50));
        order.push('transaction');
      });
      await together;
      expect(order).to.deep.equal(['transaction', 'together']);
    });
  });
});

await describePostgres('writeTogether on PostgreSQL', (url) => {
  let db: Knex;
  let schema: string;

  beforeEach(async () => {
    schema = randomSchema('seams_one_trip_');
    db = knexFactory({ client: 'pg', connection: { connectionString: url }, searchPath: [schema], pool: { min: 0, max: 2 } });
    await db.raw(`CREATE SCHEMA "${schema}"`);
    await db.raw('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)');
  });
  afterEach(async () => {
    await db.destroy();
    await dropSchema(url, schema);
  });

  it('sendTogether and an upsert by insertRows, inside a transaction', async () => {
    await db.transaction((trx) => sendTogether(trx, [insert('a', 'one'), insertRows('t', [{ k: 'a', v: 'two' }, { k: 'b', v: undefined }], ['k'])]));
    expect(await db('t').orderBy('k')).to.deep.equal([{ k: 'a', v: 'two' }, { k: 'b', v: null }]);
  });

  it('is an ordinary transaction: all or nothing', async () => {
    await writeTogether(db, [insert('a', "it's"), insert('b', null)]);
    expect(await db('t').orderBy('k')).to.deep.equal([{ k: 'a', v: "it's" }, { k: 'b', v: null }]);
    const failure = await writeTogether(db, [insert('c', 'x'), insert('a', 'again')]).catch((error: unknown) => error);
    expect(String(failure)).to.match(/duplicate key/);
    expect(await db('t').orderBy('k').pluck('k')).to.deep.equal(['a', 'b']);
  });
});
