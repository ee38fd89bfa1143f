import { expect } from 'chai';
import { dropSchema, ensureSchema, openPostgres } from '../../src/kernel/event-store/postgres/connection.js';
import { migrateLatest } from '../../src/kernel/migrate.js';
import { describePostgres, randomSchema } from '../support/postgres.js';

/**
 * Migrations on PostgreSQL after a migrator died holding knex's lock (SIGKILL during a start, as
 * the chaos campaign does): the next start takes its turn under a session advisory lock, which a
 * dead holder's connection gives up, and frees the stale knex lock. It used to fail every start
 * after it with "Migration table is already locked".
 */
await describePostgres('migrateLatest on PostgreSQL', (url) => {
  it('a knex lock left taken by a process that died does not stop the next start', async () => {
    const schema = randomSchema();
    const first = openPostgres(url, schema, 2);
    try {
      await ensureSchema(first, schema);
      await migrateLatest(first, 'cluster', 'cluster_migrations');
      await first('cluster_migrations_lock').update({ is_locked: 1 }); // what a killed migrator leaves
      await first.destroy();

      const next = openPostgres(url, schema, 2);
      try {
        expect(await migrateLatest(next, 'cluster', 'cluster_migrations', 1_000)).to.deep.equal([]);
        expect((await next('cluster_migrations_lock').select('is_locked')).map((r) => r.is_locked)).to.deep.equal([0]);
      } finally {
        await next.destroy();
      }
    } finally {
      await dropSchema(url, schema);
    }
  });
});
