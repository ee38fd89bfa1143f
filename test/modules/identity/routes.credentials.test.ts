import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { tokenService } from '../../../src/kernel/host.js';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import { eventPosition, expectProblem, expectStatus, unknownId, wholeLog } from '../../support/http.js';

/** One request of each module's that needs a credential: after a revocation every one of them must refuse the token. */
const everyModule = (userId: string): [string, string, unknown?][] => [
  ['PATCH', `/users/${userId}`, { bio: 'after the revocation' }],
  ['POST', '/catalog/items', { title: 'after the revocation', priceCents: 1 }],
  ['POST', '/chat/conversations', { participantIds: [userId] }],
  ['POST', '/customers', { name: 'after', email: 'after@example.com' }],
  ['POST', '/orders', { customerId: crypto.randomUUID(), lines: [{ itemId: crypto.randomUUID(), quantity: 1 }] }],
  ['GET', '/communications/mails'],
  ['GET', '/jobs'],
  ['GET', '/admin/projections'],
  ['DELETE', '/identity/sessions/current'],
];

describe('identity: operators and service tokens', function () {
  this.timeout(30_000);
  const adminToken = 'the-admin-credential-of-this-test';
  let app: TestApp;
  before(async () => {
    app = await startApp({ config: { adminToken } });
  });
  after(async () => app?.stop());

  it('the admin credential grants the operator role: 201 (200 again), the next login carries it, and the token opens /admin and what operators may', async () => {
    const ada = await app.signUp('Ada');
    const granted = await app.request('POST', '/identity/operators', { token: adminToken, body: { userId: ada.userId } });
    expectStatus(granted, 201);
    expect(granted.body).to.deep.equal({ userId: ada.userId, roles: ['operator'] });
    expect((await wholeLog(app)).filter((e) => e.type === 'identity.OperatorGranted').map((e) => e.data)).to.deep.include({ userId: ada.userId });
    expectStatus(await app.request('POST', '/identity/operators', { token: adminToken, body: { userId: ada.userId } }), 200);
    expectProblem(await app.request('POST', '/identity/operators', { token: adminToken, body: { userId: unknownId() } }), 422);

    // The token from before the grant is a member's; a new login carries the role.
    expectProblem(await app.request('GET', '/admin/projections', { token: ada.token }), 403);
    const session = await app.request('POST', '/identity/sessions', { body: { email: ada.email, password: ada.password } });
    expect(session.body.roles).to.deep.equal(['operator']);
    expectStatus(await app.request('GET', '/admin/projections', { token: session.body.token }), 200);
    expectStatus(await app.request('POST', '/catalog/items', { token: session.body.token, body: { title: 'For Bob', priceCents: 1, ownerId: ada.userId } }), 201);
    // An operator may not make operators: that takes the admin credential.
    const bob = await app.signUp('Bob');
    expectProblem(await app.request('POST', '/identity/operators', { token: session.body.token, body: { userId: bob.userId } }), 403);
  });

  it('revoking the role makes every module reject every token the user had, at once (as after a logout); a new login works, without the role', async () => {
    const olga = await app.operator('Olga');
    const older = await app.request('POST', '/identity/sessions', { body: { email: olga.email, password: olga.password } });
    const revoked = await app.request('DELETE', `/identity/operators/${olga.userId}`, { token: adminToken });
    expectStatus(revoked, 204);
    const position = eventPosition(revoked);
    expect(await app.eventAt(position)).to.deep.include({ type: 'identity.OperatorRevoked', data: { userId: olga.userId } });
    const before = await app.headPosition();
    for (const token of [olga.token, older.body.token]) {
      for (const [method, path, body] of everyModule(olga.userId)) expectProblem(await app.request(method, path, { token, body }), 401);
    }
    expect(await app.headPosition()).to.equal(before);
    const again = await app.request('POST', '/identity/sessions', { body: { email: olga.email, password: olga.password } });
    expect(again.body.roles).to.deep.equal([]);
    expectStatus(await app.request('GET', '/communications/mails', { token: again.body.token }), 200);
    expectProblem(await app.request('GET', '/admin/projections', { token: again.body.token }), 403);
    // Revoking someone who is not an operator changes nothing; an unknown user is a 404.
    expectStatus(await app.request('DELETE', `/identity/operators/${olga.userId}`, { token: adminToken }), 204);
    expect(await app.headPosition()).to.equal(before + 1); // only the new login's LoginSucceeded
    expectProblem(await app.request('DELETE', `/identity/operators/${unknownId()}`, { token: adminToken }), 404);
  });

  it('a service token: issued by an operator, shown once (in no event), works by its scopes, and every module rejects it once revoked', async () => {
    const olga = await app.operator('Olga');
    const issued = await app.request('POST', '/identity/service-tokens', { token: olga.token, body: { name: 'render farm', scopes: ['jobs:submit', 'jobs:read'], expiresInDays: 30 } });
    expectStatus(issued, 201);
    const { tokenId, token, expiresAt } = issued.body;
    expect(issued.body).to.deep.include({ name: 'render farm', scopes: ['jobs:submit', 'jobs:read'] });
    expect(Date.parse(expiresAt) - Date.now()).to.be.within(29.9 * 86_400_000, 30 * 86_400_000);
    const log = JSON.stringify(await wholeLog(app));
    expect(log).not.to.include(token);
    expect(log).not.to.include(token.split('.')[2]); // not even its signature

    const job = await app.request('POST', '/jobs', { token, body: { type: 'render', payload: { frames: 1 } } });
    expectStatus(job, 202);
    expectStatus(await app.request('GET', `/jobs/${job.body.jobId}`, { token, headers: { 'min-position': String(eventPosition(job)) } }), 200);
    expectProblem(await app.request('POST', `/jobs/${job.body.jobId}/execution-reports`, { token, body: { status: 'running' } }), 403); // no jobs:report
    expectProblem(await app.request('GET', '/communications/mails', { token }), 403); // a machine is no member

    expectStatus(await app.request('DELETE', `/identity/service-tokens/${tokenId}`, { token: adminToken }), 204);
    for (const [method, path, body] of [['POST', '/jobs', { type: 'render', payload: {} }], ['GET', '/jobs'], ['GET', `/jobs/${job.body.jobId}`], ['GET', '/jobs/pools/render']] as const) {
      expectProblem(await app.request(method, path, { token, body }), 401);
    }
    expectStatus(await app.request('DELETE', `/identity/service-tokens/${tokenId}`, { token: olga.token }), 204); // again: nothing to do
    expectProblem(await app.request('DELETE', `/identity/service-tokens/${unknownId()}`, { token: olga.token }), 404);
  });

  it('an expired service token is rejected; scopes are the three of API.md', async () => {
    const secret = new TextEncoder().encode(readFileSync(join(app.dir, 'token-secret'), 'utf8').trim());
    const expired = await tokenService(secret).issueService({ tokenId: crypto.randomUUID(), scopes: ['jobs:read'] }, new Date(Date.now() - 1000));
    expectProblem(await app.request('GET', '/jobs', { token: expired }), 401);
    for (const scopes of [['jobs:delete'], [], ['*'], 'jobs:read']) {
      expectProblem(await app.request('POST', '/identity/service-tokens', { token: adminToken, body: { name: 'x', scopes } }), 400, 'scopes' + (Array.isArray(scopes) && scopes.length > 0 ? '.0' : ''));
    }
    for (const expiresInDays of [0, 3651, 1.5]) {
      expectProblem(await app.request('POST', '/identity/service-tokens', { token: adminToken, body: { name: 'x', scopes: ['jobs:read'], expiresInDays } }), 400, 'expiresInDays');
    }
  });
});

describe('identity: passwords hashed with weaker parameters are replaced at the next login', function () {
  this.timeout(30_000);

  it('a login with a hash of N = 2^10 when 2^11 is configured appends a new PasswordSet at 2^11, once', async () => {
    const first = await startApp({ config: { env: { IDENTITY_SCRYPT_COST: '10' } } });
    const dir = first.dir;
    const ada = await first.signUp('Ada');
    await first.server.close(); // the data directory stays
    const app = await startApp({ dataDir: dir, config: { env: { IDENTITY_SCRYPT_COST: '11' } } });
    try {
      const hashes = async () => (await wholeLog(app)).filter((e) => e.type === 'identity.PasswordSet' && (e.data as { userId: string }).userId === ada.userId).map((e) => (e.data as { passwordHash: string }).passwordHash);
      expect((await hashes()).map((h) => h.split('$')[1])).to.deep.equal(['1024']);
      expectStatus(await app.request('POST', '/identity/sessions', { body: { email: ada.email, password: 'wrong password' } }), 401);
      expect(await hashes()).to.have.length(1); // a wrong password changes nothing
      expectStatus(await app.request('POST', '/identity/sessions', { body: { email: ada.email, password: ada.password } }), 201);
      expect((await hashes()).map((h) => h.split('$')[1])).to.deep.equal(['1024', '2048']);
      expectStatus(await app.request('POST', '/identity/sessions', { body: { email: ada.email, password: ada.password } }), 201);
      expect(await hashes()).to.have.length(2);
    } finally {
      await app.stop();
      await first.stop();
    }
  });
});
