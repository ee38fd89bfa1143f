import { expect } from 'chai';
import type { Knex } from 'knex';
import { batchedGroupReads, batchedReads } from '../../src/kernel/batchedReads.js';
import { openSqlite } from '../../src/kernel/sqlite/connection.js';
import type { ModuleContext } from '../../src/kernel/types/module.js';

interface Row {
  id: string;
  name: string;
}

describe('batched reads by key', () => {
  let db: Knex;
  let other: Knex;
  let queries: string[][];
  const byId = batchedReads(
    async (ctx, ids: readonly string[]) => {
      queries.push([...ids]);
      return (await ctx.db('things').whereIn('id', ids)) as Row[];
    },
    (row) => row.id,
  );
  const ctxOf = (handle: Knex) => ({ db: handle }) as ModuleContext;

  beforeEach(async () => {
    queries = [];
    db = openSqlite({ filename: ':memory:' });
    other = openSqlite({ filename: ':memory:' });
    for (const handle of [db, other]) {
      await handle.schema.createTable('things', (t) => {
        t.string('id').primary();
        t.string('name');
      });
    }
    await db('things').insert([{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }, { id: 'c', name: 'C' }]);
    await other('things').insert({ id: 'a', name: 'other A' });
  });

  afterEach(async () => {
    await db.destroy();
    await other.destroy();
  });

  it('answers the reads asked for in one turn with one query: each its own row, or undefined', async () => {
    const found = await Promise.all(['b', 'a', 'missing', 'b'].map((id) => byId(ctxOf(db), id)));
    expect(found).to.deep.equal([{ id: 'b', name: 'B' }, { id: 'a', name: 'A' }, undefined, { id: 'b', name: 'B' }]);
    expect(queries).to.deep.equal([['b', 'a', 'missing']]);
  });

  it('gathers reads arriving in separate callbacks of the same turn (the requests that came in together)', async () => {
    const reads = await new Promise<Promise<Row | undefined>[]>((resolve) => {
      const started: Promise<Row | undefined>[] = [];
      setTimeout(() => started.push(byId(ctxOf(db), 'a')), 0);
      setTimeout(() => {
        started.push(byId(ctxOf(db), 'c'));
        resolve(started);
      }, 0);
    });
    expect((await Promise.all(reads)).map((r) => r?.name)).to.deep.equal(['A', 'C']);
    expect(queries).to.have.length(1);
  });

  it('never gathers reads of different database handles into one query', async () => {
    const [mine, theirs] = await Promise.all([byId(ctxOf(db), 'a'), byId(ctxOf(other), 'a')]);
    expect(mine?.name).to.equal('A');
    expect(theirs?.name).to.equal('other A');
    expect(queries).to.have.length(2);
  });

  it('keeps nothing: a later read sees the row as the database has it now', async () => {
    expect((await byId(ctxOf(db), 'a'))?.name).to.equal('A');
    await db('things').where('id', 'a').update({ name: 'renamed' });
    await db('things').where('id', 'b').delete();
    expect((await byId(ctxOf(db), 'a'))?.name).to.equal('renamed');
    expect(await byId(ctxOf(db), 'b')).to.equal(undefined);
  });

  it('splits a turn of many reads into queries of at most 500 keys', async () => {
    const ids = Array.from({ length: 1200 }, (_, i) => (i === 700 ? 'c' : `k${i}`));
    const found = await Promise.all(ids.map((id) => byId(ctxOf(db), id)));
    expect(found.filter(Boolean)).to.deep.equal([{ id: 'c', name: 'C' }]);
    expect(queries.map((q) => q.length)).to.deep.equal([500, 500, 200]);
  });

  it('fails every read of a failing query, and the next turn reads again', async () => {
    await db.schema.renameTable('things', 'gone');
    const failed = await Promise.allSettled([byId(ctxOf(db), 'a'), byId(ctxOf(db), 'b')]);
    expect(failed.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
    expect(String((failed[0] as PromiseRejectedResult).reason)).to.match(/no such table: things/);
    await db.schema.renameTable('gone', 'things');
    expect((await byId(ctxOf(db), 'a'))?.name).to.equal('A');
  });

  it('grouped: every row of each key in the order the query answers them, none for a key without rows, in one query', async () => {
    const byName = batchedGroupReads(
      async (ctx, names: readonly string[]) => {
        queries.push([...names]);
        return (await ctx.db('things').whereIn('name', names).orderBy('id', 'desc')) as Row[];
      },
      (row) => row.name,
    );
    await db('things').insert([{ id: 'd', name: 'A' }, { id: 'e', name: 'A' }]);
    const found = await Promise.all(['A', 'none', 'C'].map((name) => byName(ctxOf(db), name)));
    expect(found.map((rows) => rows.map((r) => r.id))).to.deep.equal([['e', 'd', 'a'], [], ['c']]);
    expect(queries).to.deep.equal([['A', 'none', 'C']]);
  });
});
