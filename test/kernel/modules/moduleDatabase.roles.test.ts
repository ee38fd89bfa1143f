import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { openModuleDatabase } from '../../../src/kernel/host.js';
import { ownPostgresUnavailable, startOwnPostgres, type OwnPostgres } from '../../support/ownPostgres.js';
import { tempDir } from '../../support/tempDir.js';

/** Connects as `user` with `password`; resolves to the SQLSTATE of a refusal, or 'ok'. */
async function login(port: number, user: string, password: string): Promise<string> {
  const client = new pg.Client({ host: '127.0.0.1', port, database: 'postgres', user, password });
  try {
    await client.connect();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('module databases on PostgreSQL: per-module roles with passwords', function () {
  this.timeout(60_000);
  let server: OwnPostgres | undefined;
  const unavailable = ownPostgresUnavailable();

  before(async function () {
    if (unavailable) {
      if (process.env.CI === 'true') throw new Error(unavailable);
      return this.skip();
    }
    server = await startOwnPostgres();
  });
  after(async () => server?.stop());

  it('each module connects as its own role with a generated password (0600 in the data directory), under password authentication', async () => {
    const dir = await tempDir('seams-roles-');
    try {
      const config = { kind: 'postgres' as const, connectionString: server!.url, moduleRoles: true, rolePasswords: { dataDir: dir.path } };
      const db = await openModuleDatabase('catalog', config);
      try {
        expect((await db.raw('SELECT current_user AS who')).rows[0].who).to.equal('catalog');
      } finally {
        await db.destroy();
      }
      const file = join(dir.path, 'pg-roles', 'catalog');
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(statSync(join(dir.path, 'pg-roles')).mode & 0o777).to.equal(0o700);
      // The server asks for the password: the right one gets in, a wrong one and none do not.
      expect(await login(server!.port, 'catalog', readFileSync(file, 'utf8'))).to.equal('ok');
      expect(await login(server!.port, 'catalog', 'not-the-password')).to.equal('28P01');
      // A restart on the same data directory keeps (and sets again) the same password.
      const again = await openModuleDatabase('catalog', config);
      await again.destroy();
      expect(await login(server!.port, 'catalog', readFileSync(file, 'utf8'))).to.equal('ok');
    } finally {
      await dir.cleanup();
    }
  });

  it('with SEAMS_PG_ROLE_SECRET every process derives the same password, whatever its data directory', async () => {
    const [a, b] = [await tempDir('seams-roles-a-'), await tempDir('seams-roles-b-')];
    try {
      const secret = 'a shared secret of at least thirty-two characters';
      const one = await openModuleDatabase('chat', { kind: 'postgres', connectionString: server!.url, moduleRoles: true, rolePasswords: { secret, dataDir: a.path } });
      const other = await openModuleDatabase('chat', { kind: 'postgres', connectionString: server!.url, moduleRoles: true, rolePasswords: { secret, dataDir: b.path } });
      try {
        // The first process's pool still logs in after the second set the password again.
        await one.destroy();
        const reopened = await openModuleDatabase('chat', { kind: 'postgres', connectionString: server!.url, moduleRoles: true, rolePasswords: { secret, dataDir: a.path } });
        expect((await reopened.raw('SELECT current_user AS who')).rows[0].who).to.equal('chat');
        expect((await other.raw('SELECT current_user AS who')).rows[0].who).to.equal('chat');
        await reopened.destroy();
      } finally {
        await other.destroy();
      }
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });
});
