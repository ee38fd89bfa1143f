import { expect } from 'chai';
import type { Knex } from 'knex';
import { moduleSchema, openModuleDatabase, parseModuleConfig, type ModuleContext } from '../../../src/kernel/host.js';
import { dropSchema } from '../../../src/kernel/event-store/postgres/connection.js';
import { identity } from '../../../src/modules/identity/index.js';
import { admitLogin } from '../../../src/modules/identity/throttles.js';
import { describePostgres, randomSchema } from '../../support/postgres.js';

/**
 * On PostgreSQL an attempt waits for the lock on its (account, address) row while another holds
 * it; if that other one clears the row (its login succeeded) the waiting attempt finds no row.
 * It used to read `locked_until` of nothing: a 500 (chaos seed 2, PostgreSQL). It makes the row again.
 */
await describePostgres('identity throttles on PostgreSQL', (url) => {
  let db: Knex;
  let prefix: string;

  beforeEach(async () => {
    prefix = `${randomSchema('seams_t')}_`;
    db = await openModuleDatabase(identity, { kind: 'postgres', connectionString: url, schemaPrefix: prefix });
  });
  afterEach(async () => {
    await db.destroy();
    await dropSchema(url, moduleSchema('identity', prefix));
  });

  it('an attempt whose row is cleared while it waits for the lock makes it again and is counted', async function () {
    this.timeout(20_000);
    const ctx = { db, settings: parseModuleConfig(identity, {}) } as unknown as ModuleContext;
    const where = { account_id: 'account-1', address: '10.0.0.1' };
    await admitLogin(ctx, where.account_id, where.address);
    // Another request holds the row (as an attempt in flight does), then clears it (its login succeeded).
    const holder = await db.transaction();
    await holder('login_attempts').where(where).forUpdate().first();
    const waiting = admitLogin(ctx, where.account_id, where.address);
    await new Promise((r) => setTimeout(r, 300));
    await holder('login_attempts').where(where).delete();
    await holder.commit();
    await waiting;
    const row = (await db('login_attempts').where(where).first()) as { failures: number };
    expect(Number(row.failures)).to.equal(1);
  });
});
