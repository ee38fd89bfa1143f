import { expect } from 'chai';
import type { Knex } from 'knex';
import { isDatabaseUnavailable } from '../../../../src/kernel/errors.js';
import { Fence } from '../../../../src/kernel/projections/fence.js';
import { dropSchema, ensureSchema, openPostgres } from '../../../../src/kernel/event-store/postgres/connection.js';
import { describePostgres, randomSchema } from '../../../support/postgres.js';

/**
 * A process frozen inside a transaction (SIGSTOP, a VM pause) must not hold its locks for good:
 * PostgreSQL ends a session idle in a transaction past the limit, so a successor's fence raise,
 * which waits for the frozen leader's FOR SHARE on the fence row, goes through.
 */
await describePostgres('PostgreSQL connections: a session idle in a transaction is ended', (url) => {
  let schema: string;
  const pools: Knex[] = [];
  const open = (idleMs?: number) => {
    const db = openPostgres(url, schema, 2, idleMs);
    pools.push(db);
    return db;
  };

  beforeEach(async () => {
    schema = randomSchema();
    const db = open();
    await ensureSchema(db, schema);
    await db.schema.createTable('fence', (t) => {
      t.integer('id').primary();
      t.bigInteger('epoch').notNullable();
    });
  });
  afterEach(async () => {
    for (const db of pools.splice(0)) await db.destroy();
    await dropSchema(url, schema);
  });

  it('sets the limit on every pooled connection (30 s unless told)', async () => {
    const row = (await open().raw('SHOW idle_in_transaction_session_timeout')).rows[0];
    expect(row.idle_in_transaction_session_timeout).to.equal('30s');
  });

  it('a frozen leader’s FOR SHARE on the fence goes when its session is ended; the successor raises the fence; the woken leader’s next statement fails as unavailable', async () => {
    const frozen = open(500);
    const successor = open();
    const old = new Fence(frozen);
    await old.raise(1);
    const trx = await frozen.transaction();
    await old.check(trx); // FOR SHARE on the fence row, then nothing: the process is frozen
    const raised = new Fence(successor).raise(2);
    const outcome = await Promise.race([raised.then(() => 'raised'), new Promise((r) => setTimeout(() => r('still waiting'), 10_000))]);
    expect(outcome).to.equal('raised');
    expect(Number((await successor('fence').first()).epoch)).to.equal(2);
    let failed: unknown;
    await trx('fence').first().catch((error) => (failed = error));
    expect(failed, 'the woken transaction is gone').to.be.instanceOf(Error);
    expect(isDatabaseUnavailable(failed), String(failed)).to.equal(true);
    await trx.rollback().catch(() => undefined);
    // The pool gives out a working connection again.
    expect(Number((await frozen('fence').first()).epoch)).to.equal(2);
  });
});
