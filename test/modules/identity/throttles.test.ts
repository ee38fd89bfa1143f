import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { startApp, type Reply, type TestApp } from '../../support/httpHarness.js';
import { expectProblem } from '../../support/http.js';

/** A JSON POST from a given loopback source address (127.0.0.2 is another client of the same server). */
function postFrom(app: TestApp, localAddress: string, path: string, body: unknown): Promise<{ status: number; retryAfter?: string }> {
  const url = new URL(path, app.base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const count = (replies: { status: number }[]) => replies.reduce<Record<number, number>>((n, r) => ({ ...n, [r.status]: (n[r.status] ?? 0) + 1 }), {});
const login = (app: TestApp, email: string, password: string) => app.request('POST', '/identity/sessions', { body: { email, password } });

/**
 * The limits on guessing and sign-ups, fired as parallel bursts: every attempt is counted before
 * the password is checked, so a burst is limited exactly as the same attempts one after another.
 */
describe('identity: throttled logins and registrations', function () {
  this.timeout(30_000);

  describe('failed logins per account and address (5 free, then growing locks)', () => {
    let app: TestApp;
    before(async () => {
      app = await startApp();
    });
    after(async () => app?.stop());

    it('20 wrong passwords at once: exactly as many get through as one after another would (6 answered 401, 14 answered 429 with Retry-After)', async () => {
      const parallel = await app.signUp('Parallel');
      const burst = await Promise.all(Array.from({ length: 20 }, () => login(app, parallel.email, 'wrong password')));
      expect(count(burst)).to.deep.equal({ 401: 6, 429: 14 });
      for (const reply of burst.filter((r) => r.status === 429)) {
        expectProblem(reply, 429);
        expect(Number(reply.headers.get('retry-after'))).to.be.within(1, 2);
      }
      const sequential = await app.signUp('Sequential');
      const oneByOne: Reply[] = [];
      for (let i = 0; i < 20; i++) oneByOne.push(await login(app, sequential.email, 'wrong password'));
      expect(count(oneByOne)).to.deep.equal(count(burst));
    });

    it('the right password sent among 12 wrong ones at once is counted like them; once locked, even the right password waits (429)', async () => {
      const ada = await app.signUp('Ada');
      const burst = await Promise.all([...Array.from({ length: 12 }, () => login(app, ada.email, 'wrong password')), login(app, ada.email, ada.password)]);
      const statuses = count(burst);
      // Six attempts were let in (the right one among them or not), the other seven refused before any check.
      expect((statuses[401] ?? 0) + (statuses[201] ?? 0)).to.equal(6);
      expect(statuses[429]).to.equal(7);
      if (burst.at(-1)!.status !== 201) {
        const right = await login(app, ada.email, ada.password);
        expectProblem(right, 429);
        expect(right.headers.get('retry-after')).to.match(/^\d+$/);
      }
    });

    it('each further failure locks for twice as long; a success clears the count', async () => {
      const bob = await app.signUp('Bob');
      for (let i = 0; i < 6; i++) expect((await login(app, bob.email, 'wrong password')).status).to.equal(401);
      expect((await login(app, bob.email, bob.password)).headers.get('retry-after')).to.equal('1');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await login(app, bob.email, 'wrong password')).status).to.equal(401); // the 7th failure: locked for 2 s
      expect((await login(app, bob.email, bob.password)).headers.get('retry-after')).to.equal('2');
      const carol = await app.signUp('Carol');
      for (let i = 0; i < 5; i++) expect((await login(app, carol.email, 'wrong password')).status).to.equal(401);
      expect((await login(app, carol.email, carol.password)).status).to.equal(201);
      for (let i = 0; i < 5; i++) expect((await login(app, carol.email, 'wrong password')).status).to.equal(401); // free again
    });

    it('a lock is per address: guesses from one address never lock the account for its owner elsewhere', async () => {
      const victim = await app.signUp('Victim');
      const attacker = await Promise.all(Array.from({ length: 30 }, () => postFrom(app, '127.0.0.1', '/identity/sessions', { email: victim.email, password: 'guess' })));
      expect(count(attacker)).to.deep.equal({ 401: 6, 429: 24 });
      expect((await postFrom(app, '127.0.0.1', '/identity/sessions', { email: victim.email, password: victim.password })).status).to.equal(429);
      expect((await postFrom(app, '127.0.0.2', '/identity/sessions', { email: victim.email, password: victim.password })).status).to.equal(201);
    });
  });

  describe('per client address', () => {
    let app: TestApp;
    before(async () => {
      app = await startApp({ config: { env: { IDENTITY_LOGINS_PER_ADDRESS_PER_MINUTE: '10', IDENTITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR: '5' } } });
    });
    after(async () => app?.stop());

    it('logins: 30 at once for 30 different accounts from one address: 10 answered (401), 20 refused (429, Retry-After); another address is not affected', async () => {
      const burst = await Promise.all(Array.from({ length: 30 }, () => postFrom(app, '127.0.0.1', '/identity/sessions', { email: `${crypto.randomUUID()}@example.com`, password: 'guess' })));
      expect(count(burst)).to.deep.equal({ 401: 10, 429: 20 });
      for (const reply of burst.filter((r) => r.status === 429)) expect(Number(reply.retryAfter)).to.be.within(1, 60);
      expect((await postFrom(app, '127.0.0.2', '/identity/sessions', { email: 'someone@example.com', password: 'guess' })).status).to.equal(401);
    });

    it('registrations: 12 at once from one address: 5 registered (201), 7 refused (429, Retry-After), nothing appended for them; another address still registers', async () => {
      const before = await app.headPosition();
      const burst = await Promise.all(Array.from({ length: 12 }, () => postFrom(app, '127.0.0.1', '/identity/registrations', { email: `${crypto.randomUUID()}@example.com`, password: 'a long password', displayName: 'Many' })));
      expect(count(burst)).to.deep.equal({ 201: 5, 429: 7 });
      for (const reply of burst.filter((r) => r.status === 429)) expect(Number(reply.retryAfter)).to.be.within(3000, 3600);
      expect((await app.server.store.readAll({ after: before, maxCount: 100 })).filter((e) => e.type === 'identity.UserRegistered')).to.have.length(5);
      expect((await postFrom(app, '127.0.0.2', '/identity/registrations', { email: `${crypto.randomUUID()}@example.com`, password: 'a long password', displayName: 'Elsewhere' })).status).to.equal(201);
    });
  });
});
