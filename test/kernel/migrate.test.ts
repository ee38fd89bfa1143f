/**
 * Migrations when processes start together, or after one died holding knex's lock: on SQLite
 * they take turns on a lock the operating system holds, so nobody waits for a lock nobody holds.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { migrateLatest } from '../../src/kernel/migrate.js';
import { openSqlite } from '../../src/kernel/sqlite/connection.js';
import { tempDir } from '../support/tempDir.js';

describe('migrateLatest on SQLite', function () {
  this.timeout(30_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir('seams-migrate-')));
  afterEach(() => dir.cleanup());

  it('a knex lock left taken by a process that died does not stop the next start', async () => {
    const filename = join(dir.path, 'cluster.sqlite');
    const first = openSqlite({ filename });
    await migrateLatest(first, 'cluster', 'cluster_migrations');
    await first('cluster_migrations_lock').update({ is_locked: 1 }); // what a killed migrator leaves
    await first.destroy();

    const next = openSqlite({ filename });
    try {
      // Before the side-file lock, this waited out its deadline on knex's 'already locked'.
      expect(await migrateLatest(next, 'cluster', 'cluster_migrations', 2_000)).to.deep.equal([]);
      expect((await next('cluster_migrations_lock').select('is_locked')).map((r) => r.is_locked)).to.deep.equal([0]);
    } finally {
      await next.destroy();
    }
  });

  it('several connections migrating one fresh file at once: each migration runs once, and the lock file is private', async () => {
    const filename = join(dir.path, 'events.sqlite');
    const dbs = Array.from({ length: 4 }, () => openSqlite({ filename }));
    try {
      const applied = await Promise.all(dbs.map((db) => migrateLatest(db, 'event-store', 'event_store_migrations', 20_000)));
      const ran = applied.flat();
      expect(ran.length).to.be.greaterThan(0);
      expect(new Set(ran).size).to.equal(ran.length);
      expect(applied.filter((a) => a.length > 0)).to.have.length(1);
      expect((statSync(`${filename}.migrating`).mode & 0o777).toString(8)).to.equal('600');
    } finally {
      await Promise.all(dbs.map((db) => db.destroy()));
    }
  });
});
