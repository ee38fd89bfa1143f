/**
 * Two leaders after a pause: the process leading catalog is stopped (SIGSTOP) for longer than
 * the lease's time to live, another process takes the lease with a higher fencing number and
 * raises catalog's fence; when the paused one resumes (SIGCONT), whatever it writes under its old
 * number is refused, it stops leading, and catalog's projection holds each item exactly once.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'chai';
import knexFactory from 'knex';
import { Coordination } from '../../src/kernel/cluster/coordination.js';
import { Fence, Fenced } from '../../src/kernel/projections/fence.js';
import { moduleDatabaseFile } from '../../src/kernel/host.js';
import { tempDir } from '../support/tempDir.js';
import { requestJson, signUp, startServerProcess, type ServerProcess } from '../support/serverProcess.js';

/** Polls until `probe` answers; on a timeout the error carries what the processes logged last (for a post-mortem of a CI run). */
async function until<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000, logs: ServerProcess[] = []): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error([`timed out waiting for ${what}`, ...logs.map((p) => `--- the process on port ${p.port}, last lines:\n${p.output().split('\n').slice(-60).join('\n')}`)].join('\n'));
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('fencing: a leader paused past its lease (SIGSTOP, SIGCONT)', function () {
  this.timeout(120_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const started: ServerProcess[] = [];
  let coordination: Coordination | undefined;

  before(async () => {
    dir = await tempDir('seams-fencing-');
  });
  after(async () => {
    for (const p of started) {
      p.child.kill('SIGCONT');
      await p.stop('SIGTERM');
    }
    await coordination?.close();
    await dir.cleanup();
  });

  // A lease of 2 s, as the campaign uses: at 1 s a loaded machine (CI) can make the two processes hand the lease back and forth.
  it('the successor raises the fence; the resumed leader’s writes are refused and it follows; each item is projected once', async () => {
    const env = { SEAMS_TOKEN_SECRET: randomBytes(32).toString('hex'), SEAMS_ADMIN_TOKEN: randomBytes(24).toString('hex'), SEAMS_LEASE_TTL_MS: '2000', SEAMS_MODULES: 'identity,users,catalog' };
    const a = await startServerProcess({ dataDir: dir.path, env, logLevel: 'info', startTimeoutMs: 60_000 });
    started.push(a);
    const b = await startServerProcess({ dataDir: dir.path, env, logLevel: 'info', startTimeoutMs: 60_000 });
    started.push(b);
    coordination = await Coordination.open({ store: 'sqlite', dataDir: dir.path });
    const lease = () => coordination!.db('cluster_leases').where({ module: 'catalog' }).first() as Promise<{ holder: string; epoch: number } | undefined>;
    const first = await until(lease, 'a catalog lease');

    const owner = await signUp(b.base, 'Owner');
    const before = await requestJson(b.base, 'POST', '/catalog/items', { token: owner.token, body: { title: 'Before the pause', priceCents: 1 } });
    expect(before.status, before.text).to.equal(201);

    const leader = first.holder.endsWith(`:${a.port}`) ? a : b;
    const other = leader === a ? b : a;
    // Paused idle: on SQLite a process stopped inside a write transaction holds that database's
    // write lock until it runs again, and no successor can raise the fence there (see README).
    await until(async () => {
      const reply = await requestJson<{ lag: number }[]>(leader.base, 'GET', '/admin/projections', { token: env.SEAMS_ADMIN_TOKEN });
      return reply.status === 200 && reply.body.every((p) => p.lag === 0);
    }, 'the leader to catch up before the pause', 30_000, [leader]);
    leader.child.kill('SIGSTOP');
    const taken = await until(async () => {
      const now = await lease();
      return now && now.holder !== first.holder && now;
    }, 'the other process to take the lease', 60_000, [other]);
    expect(Number(taken.epoch)).to.be.above(Number(first.epoch));
    // Writes while the old leader sleeps: it has not applied them.
    const during = await requestJson(other.base, 'POST', '/catalog/items', { token: owner.token, body: { title: 'During the pause', priceCents: 2 } });
    expect(during.status, during.text).to.equal(201);

    const catalog = knexFactory({ client: 'sqlite3', connection: { filename: moduleDatabaseFile(dir.path, 'catalog') }, useNullAsDefault: true });
    try {
      const fence = async () => Number(((await catalog('fence').first()) as { epoch: number }).epoch);
      await until(async () => (await fence()) === Number(taken.epoch), 'the successor to raise the fence', 60_000, [other]);
      // A write under the old number is refused (what the paused leader's runner and outbox meet on waking).
      let refused: unknown;
      await new Fence(catalog).raise(Number(first.epoch)).catch((error) => (refused = error));
      expect(refused).to.be.instanceOf(Fenced);

      leader.child.kill('SIGCONT');
      await until(async () => /lost the lease|write refused by the fence|lease not renewed in time/.test(leader.output()) && true, 'the resumed leader to stop leading', 60_000, [leader, other]);
      expect(await fence(), 'the fence stays with the successor').to.equal(Number(taken.epoch));
      expect((await lease())?.holder).to.equal(taken.holder);
      const after = await requestJson(other.base, 'POST', '/catalog/items', { token: owner.token, body: { title: 'After the pause', priceCents: 3 } });
      expect(after.status, after.text).to.equal(201);
      const listed = await until(async () => {
        const reply = await requestJson(leader.base, 'GET', '/catalog/items', { headers: { 'min-position': after.headers.get('event-position')! } });
        return reply.status === 200 && reply.body.items.length >= 3 && reply;
      }, 'the resumed process to serve every item (following the new leader)', 60_000, [leader, other]);
      expect(listed.body.items.map((i: { title: string }) => i.title).sort()).to.deep.equal(['After the pause', 'Before the pause', 'During the pause']);
    } finally {
      await catalog.destroy();
    }
  });
});
