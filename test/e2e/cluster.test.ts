/**
 * Modules spread over three processes behind a gateway, on PostgreSQL and on SQLite (WAL, one
 * machine): the reference scenarios work across processes; stopping the process that runs
 * users leaves catalog and chat serving (only strict owner checks answer 503, at once while the
 * breaker is open), and everything catches up when it comes back.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { dropSchema } from '../../src/kernel/event-store/postgres/connection.js';
import { moduleSchema } from '../../src/kernel/host.js';
import { modules } from '../../src/application.js';
import { describePostgres, randomSchema } from '../support/postgres.js';
import { expectParserProblems } from '../support/rawHttp.js';
import { tempDir } from '../support/tempDir.js';
import { requestJson, signUp, startServerProcess, type ServerProcess } from '../support/serverProcess.js';

const GROUPS = { a: 'identity,users', b: 'catalog,customers,orders,communications', c: 'chat,jobs' };

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function clusterScenario(label: string, storeEnv: () => Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>) {
  describe(`modules over three processes (${label})`, function () {
    this.timeout(180_000);
    let dir: Awaited<ReturnType<typeof tempDir>>;
    let env: Record<string, string>;
    let cleanupStore: () => Promise<void>;
    const members: Partial<Record<keyof typeof GROUPS, ServerProcess>> = {};
    let gateway: ServerProcess;

    const startMember = async (group: keyof typeof GROUPS, port?: number) =>
      (members[group] = await startServerProcess({ dataDir: dir.path, port, env: { ...env, SEAMS_MODULES: GROUPS[group] }, startTimeoutMs: 60_000 }));

    before(async () => {
      dir = await tempDir('seams-cluster-');
      ({ env, cleanup: cleanupStore } = await storeEnv());
      // Members call each other's admin routes with SEAMS_ADMIN_TOKEN: a cluster does not start without it.
      env = { ...env, SEAMS_TOKEN_SECRET: randomBytes(32).toString('hex'), SEAMS_ADMIN_TOKEN: randomBytes(24).toString('hex'), SEAMS_LEASE_TTL_MS: '1000' };
      await Promise.all((Object.keys(GROUPS) as (keyof typeof GROUPS)[]).map((g) => startMember(g)));
      gateway = await startServerProcess({ dataDir: dir.path, env, command: ['src/cli.ts', 'serve', '--gateway'], startTimeoutMs: 60_000 });
    });
    after(async () => {
      await Promise.all([gateway, ...Object.values(members)].map((p) => p?.stop('SIGTERM')));
      await cleanupStore();
      await dir.cleanup();
    });

    it('serves every module through one base URL, with replicas, queries and logout across processes', async () => {
      const g = gateway.base;
      const alice = await signUp(g, 'Alice');
      const bob = await signUp(g, 'Bob');
      const renamed = await requestJson(g, 'PATCH', `/users/${alice.userId}`, { token: alice.token, body: { displayName: 'Alice L' } });
      expect(renamed.status, renamed.text).to.equal(200);
      const position = renamed.headers.get('event-position')!;

      const item = await requestJson(g, 'POST', '/catalog/items', { token: alice.token, body: { title: 'Lamp', priceCents: 1200 }, headers: { 'min-position': position } });
      expect(item.status, item.text).to.equal(201);
      const read = await requestJson(g, 'GET', `/catalog/items/${item.body.itemId}`, { headers: { 'min-position': position } });
      expect(read.body).to.deep.include({ title: 'Lamp', ownerId: alice.userId, ownerDisplayName: 'Alice L' });
      const strict = await requestJson(g, 'POST', `/catalog/items/${item.body.itemId}/owner-check?mode=strict`);
      expect(strict.status, strict.text).to.equal(200);
      expect(strict.body).to.deep.include({ ownerExists: true, source: 'users' }); // answered by users, in another process

      const conversation = await requestJson(g, 'POST', '/chat/conversations', { token: alice.token, body: { participantIds: [bob.userId] }, headers: { 'min-position': position } });
      expect(conversation.status, conversation.text).to.equal(201);
      const posted = await requestJson(g, 'POST', `/chat/conversations/${conversation.body.conversationId}/messages`, { token: bob.token, body: { text: 'hi Alice' } });
      expect(posted.status, posted.text).to.equal(201);
      const messages = await requestJson(g, 'GET', `/chat/conversations/${conversation.body.conversationId}/messages`, { token: alice.token, headers: { 'min-position': posted.headers.get('event-position')! } });
      expect(messages.body.messages.map((m: { senderDisplayName: string; text: string }) => `${m.senderDisplayName}: ${m.text}`)).to.deep.equal(['Bob: hi Alice']);

      const logout = await requestJson(g, 'DELETE', '/identity/sessions/current', { token: bob.token });
      expect(logout.status).to.equal(204);
      for (const [method, path, body] of [['POST', '/catalog/items', { title: 'x', priceCents: 1 }], ['GET', `/chat/conversations/${conversation.body.conversationId}/messages`, undefined]] as const) {
        const refused = await requestJson(g, method, path, { token: bob.token, body });
        expect(refused.status, `${method} ${path}`).to.equal(401);
      }
    });

    it('the gateway answers what node’s HTTP parser refuses with problem+json too', async () => {
      await expectParserProblems(gateway.port);
    });

    it('without the process that runs users, catalog and chat keep serving; strict checks fail fast; all catch up after', async () => {
      const g = gateway.base;
      const alice = await signUp(g, 'Carol');
      const bob = await signUp(g, 'Dan');
      const item = await requestJson(g, 'POST', '/catalog/items', { token: alice.token, body: { title: 'Chair', priceCents: 5000 }, headers: { 'min-position': String(bob.position) } });
      const conversation = await requestJson(g, 'POST', '/chat/conversations', { token: alice.token, body: { participantIds: [bob.userId] } });
      expect([item.status, conversation.status]).to.deep.equal([201, 201]);

      const portA = members.a!.port;
      await members.a!.stop('SIGKILL');

      expect((await requestJson(g, 'GET', `/catalog/items/${item.body.itemId}`)).status).to.equal(200);
      expect((await requestJson(g, 'POST', '/catalog/items', { token: alice.token, body: { title: 'Stool', priceCents: 900 } })).status).to.equal(201);
      expect((await requestJson(g, 'POST', `/chat/conversations/${conversation.body.conversationId}/messages`, { token: bob.token, body: { text: 'still here' } })).status).to.equal(201);
      expect((await requestJson(g, 'POST', `/catalog/items/${item.body.itemId}/owner-check?mode=replica`)).body).to.deep.include({ ownerExists: true, source: 'replica' });
      expect((await requestJson(g, 'GET', `/users/${alice.userId}`)).status).to.equal(503); // nobody serves users now

      const strict: { status: number; detail: string }[] = [];
      for (let i = 0; i < 5; i++) {
        const reply = await requestJson(g, 'POST', `/catalog/items/${item.body.itemId}/owner-check?mode=strict`);
        strict.push({ status: reply.status, detail: reply.body.detail });
      }
      expect(strict.map((s) => s.status)).to.deep.equal([503, 503, 503, 503, 503]);
      expect(strict.at(-1)!.detail).to.match(/circuit breaker is open/);

      await startMember('a', portA);
      const profile = await eventually(() => requestJson(g, 'PATCH', `/users/${alice.userId}`, { token: alice.token, body: { displayName: 'Carol K' } }), (r) => r.status === 200);
      expect(profile.status, profile.text).to.equal(200);
      const seen = await requestJson(g, 'GET', `/catalog/items/${item.body.itemId}`, { headers: { 'min-position': profile.headers.get('event-position')! } });
      expect(seen.body.ownerDisplayName).to.equal('Carol K');
      const recovered = await eventually(() => requestJson(g, 'POST', `/catalog/items/${item.body.itemId}/owner-check?mode=strict`), (r) => r.status === 200);
      expect(recovered.body).to.deep.include({ ownerExists: true, source: 'users' });
    });
  });
}

clusterScenario('SQLite, one machine', async () => ({ env: { SEAMS_STORE: 'sqlite' }, cleanup: async () => undefined }));

await describePostgres('cluster on PostgreSQL', (url) => {
  clusterScenario('PostgreSQL', async () => {
    const prefix = `${randomSchema('seams_c')}_`;
    return {
      env: { SEAMS_STORE: 'postgres', DATABASE_URL: url, SEAMS_PG_SCHEMA_PREFIX: prefix },
      async cleanup() {
        for (const schema of [`${prefix}event_store`, ...modules.map((m) => moduleSchema(m.name, prefix))]) await dropSchema(url, schema);
      },
    };
  });
});
