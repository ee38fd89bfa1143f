import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { SignJWT } from 'jose';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import {
  HOSTILE_TEXTS,
  UUID,
  badInputTable,
  commonBadInputs,
  eventPosition,
  expectProblem,
  expectStatus,
  fieldCases,
  missingFieldCases,
  unknownId,
  wholeLog,
  type BadInput,
  type Endpoint,
} from '../../support/http.js';

interface Fixture {
  app: TestApp;
  token: string;
  userId: string;
  email: string;
  password: string;
}

const newEmail = () => `${crypto.randomUUID()}@example.com`;

describe('HTTP identity', function () {
  let app: TestApp;
  let fx: Fixture;

  before(async () => {
    app = await startApp();
    const ada = await app.signUp('Ada');
    fx = { app, token: ada.token, userId: ada.userId, email: ada.email, password: ada.password };
  });
  after(async () => app?.stop());

  describe('POST /identity/registrations', () => {
    it('201 with a new userId, Event-Position of the last event, and a public identity.UserRegistered', async () => {
      const email = newEmail();
      const reply = await app.request('POST', '/identity/registrations', { body: { email, password: 'a long password', displayName: 'Grace' } });
      expectStatus(reply, 201);
      expect(reply.body.userId).to.match(UUID);
      expect(Object.keys(reply.body)).to.deep.equal(['userId']);
      expect(eventPosition(reply)).to.equal(await app.headOf(eventPosition(reply)));
      const registered = (await wholeLog(app)).filter((e) => e.type === 'identity.UserRegistered' && (e.data as { userId: string }).userId === reply.body.userId);
      expect(registered).to.have.length(1);
      expect(registered[0]!.data).to.deep.equal({ userId: reply.body.userId, email, displayName: 'Grace' });
    });

    it('409 for an email already taken, also in another letter case; nothing appended', async () => {
      for (const email of [fx.email, fx.email.toUpperCase()]) {
        const before = await app.headPosition();
        const reply = await app.request('POST', '/identity/registrations', { body: { email, password: 'another password', displayName: 'Impostor' } });
        expectProblem(reply, 409);
        expect(await app.headPosition()).to.equal(before);
      }
    });

    it('two concurrent registrations of one email: exactly one 201, the other 409, one UserRegistered in the log', async () => {
      const email = newEmail();
      const replies = await Promise.all(
        ['First', 'Second'].map((displayName) => app.request('POST', '/identity/registrations', { body: { email, password: 'concurrent pw', displayName } })),
      );
      expect(replies.map((r) => r.status).sort()).to.deep.equal([201, 409]);
      expectProblem(replies.find((r) => r.status === 409)!, 409);
      const registered = (await wholeLog(app)).filter((e) => e.type === 'identity.UserRegistered' && (e.data as { email: string }).email === email);
      expect(registered).to.have.length(1);
      expect((registered[0]!.data as { userId: string }).userId).to.equal(replies.find((r) => r.status === 201)!.body.userId);
    });

    it('a display name and password that look like SQL or markup are kept verbatim', async () => {
      for (const text of HOSTILE_TEXTS.slice(0, 6)) {
        const email = newEmail();
        const password = `pw ${text}`;
        const registered = await app.request('POST', '/identity/registrations', { body: { email, password, displayName: text } });
        expectStatus(registered, 201);
        const profile = await app.request('GET', `/users/${registered.body.userId}`, { headers: { 'min-position': String(eventPosition(registered)) } });
        expectStatus(profile, 200);
        expect(profile.body.displayName).to.equal(text);
        expectStatus(await app.request('POST', '/identity/sessions', { body: { email, password } }), 201);
      }
    });
  });

  describe('POST /identity/sessions', () => {
    it('201 with token, sessionId, userId, expiresAt in the future, and Event-Position', async () => {
      const reply = await app.request('POST', '/identity/sessions', { body: { email: fx.email, password: fx.password } });
      expectStatus(reply, 201);
      expect(reply.body.token).to.be.a('string').and.match(/\S{20,}/);
      expect(reply.body.sessionId).to.match(UUID);
      expect(reply.body.userId).to.equal(fx.userId);
      expect(Date.parse(reply.body.expiresAt)).to.be.greaterThan(Date.now());
      expect(eventPosition(reply)).to.equal(await app.headOf(eventPosition(reply)));
      // The token works on an authenticated endpoint of another module.
      expectStatus(await app.request('PATCH', `/users/${fx.userId}`, { token: reply.body.token, body: { bio: 'logged in twice' } }), 200);
    });

    it('the email is matched case-insensitively', async () => {
      expectStatus(await app.request('POST', '/identity/sessions', { body: { email: fx.email.toUpperCase(), password: fx.password } }), 201);
    });

    it('401 for a wrong password or an unknown email; nothing appended', async () => {
      for (const body of [
        { email: fx.email, password: 'wrong password' },
        { email: newEmail(), password: fx.password },
      ]) {
        const before = await app.headPosition();
        expectProblem(await app.request('POST', '/identity/sessions', { body }), 401);
        expect(await app.headPosition()).to.equal(before);
      }
    });

    it('repeated failed logins for one email answer 429 with Retry-After, even for the right password; other emails are not affected', async () => {
      const victim = await app.signUp('Victim');
      const statuses: number[] = [];
      let locked;
      for (let attempt = 0; attempt < 10; attempt++) {
        const reply = await app.request('POST', '/identity/sessions', { body: { email: victim.email, password: `guess ${attempt}` } });
        statuses.push(reply.status);
        if (reply.status === 429) {
          locked = reply;
          break;
        }
        expectProblem(reply, 401);
      }
      expect(locked, `statuses ${statuses.join(',')}`).to.not.equal(undefined);
      expect(statuses.length).to.be.greaterThan(3);
      expectProblem(locked!, 429);
      expect(locked!.headers.get('retry-after')).to.match(/^[1-9]\d*$/);
      const rightPassword = await app.request('POST', '/identity/sessions', { body: { email: victim.email, password: victim.password } });
      expectProblem(rightPassword, 429);
      expect(rightPassword.headers.get('retry-after')).to.match(/^[1-9]\d*$/);
      expectStatus(await app.request('POST', '/identity/sessions', { body: { email: fx.email, password: fx.password } }), 201);
    });
  });

  describe('DELETE /identity/sessions/current', () => {
    it('204 with Event-Position; afterwards every module rejects the token with 401, while another session of the same user still works', async () => {
      const user = await app.signUp('Leaving');
      const other = await app.request('POST', '/identity/sessions', { body: { email: user.email, password: user.password } });
      expectStatus(other, 201);
      const peer = await app.signUp('Peer');
      const conversation = await app.request('POST', '/chat/conversations', { token: user.token, body: { participantIds: [peer.userId] } });
      expectStatus(conversation, 201);
      const messages = `/chat/conversations/${conversation.body.conversationId}/messages`;

      const logout = await app.request('DELETE', '/identity/sessions/current', { token: user.token });
      expect(logout.status).to.equal(204);
      expect(logout.text).to.equal('');
      expect(eventPosition(logout)).to.equal(await app.headOf(eventPosition(logout)));
      const loggedOut = (await wholeLog(app)).filter((e) => e.type === 'identity.LoggedOut');
      expect(loggedOut.map((e) => e.data)).to.deep.include({ userId: user.userId, sessionId: user.sessionId });

      const before = await app.headPosition();
      const attempts = [
        app.request('DELETE', '/identity/sessions/current', { token: user.token }),
        app.request('PATCH', `/users/${user.userId}`, { token: user.token, body: { bio: 'after logout' } }),
        app.request('POST', '/catalog/items', { token: user.token, body: { title: 'after logout', priceCents: 1 } }),
        app.request('POST', '/chat/conversations', { token: user.token, body: { participantIds: [peer.userId] } }),
        app.request('POST', messages, { token: user.token, body: { text: 'after logout' } }),
        app.request('GET', messages, { token: user.token }),
      ];
      for (const reply of await Promise.all(attempts)) expectProblem(reply, 401);
      expect(await app.headPosition()).to.equal(before);

      expectStatus(await app.request('PATCH', `/users/${user.userId}`, { token: other.body.token, body: { bio: 'the other session' } }), 200);
      expectStatus(await app.request('GET', messages, { token: other.body.token }), 200);
    });
  });

  describe('bearer tokens', () => {
    const secret = () => new TextEncoder().encode(readFileSync(join(app.dir, 'token-secret'), 'utf8').trim());
    /** A member token as identity signs one (roles and the roles revision included), or without a session when `sid` is missing. */
    const sign = (claims: { sub?: string; sid?: string }, exp: number, key: Uint8Array) =>
      new SignJWT(claims.sid ? { typ: 'member', sid: claims.sid, roles: [], rv: -1 } : { typ: 'member', roles: [], rv: -1 })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub ?? fx.userId)
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(key);
    const now = () => Math.floor(Date.now() / 1000);

    it('a token signed with the real secret but expired, one signed with another secret, one without a session, and an unsigned one are all 401', async () => {
      const sessionId = crypto.randomUUID();
      const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: fx.userId, sid: sessionId, exp: now() + 600 })).toString('base64url')}.`;
      const tokens = [
        await sign({ sid: sessionId }, now() - 60, secret()),
        await sign({ sid: sessionId }, now() + 600, new TextEncoder().encode('x'.repeat(43))),
        await sign({}, now() + 600, secret()),
        unsigned,
      ];
      // Control: the same construction, valid, is accepted, so the 401s are about the defects.
      expectStatus(await app.request('PATCH', `/users/${fx.userId}`, { token: await sign({ sid: sessionId }, now() + 600, secret()), body: { bio: 'forged but valid' } }), 200);
      for (const token of tokens) expectProblem(await app.request('PATCH', `/users/${fx.userId}`, { token, body: { bio: 'nope' } }), 401);
    });
  });

  describe('bad inputs', () => {
    const register: Endpoint<Fixture> = {
      method: 'POST',
      path: '/identity/registrations',
      auth: false,
      validBody: () => ({ email: newEmail(), password: 'a fine password', displayName: 'Valid' }),
    };
    const login: Endpoint<Fixture> = { method: 'POST', path: '/identity/sessions', auth: false, validBody: (f) => ({ email: f.email, password: f.password }) };
    const logout: Endpoint<Fixture> = { method: 'DELETE', path: '/identity/sessions/current', auth: true };
    const cases: BadInput<Fixture>[] = [
      ...commonBadInputs(register),
      ...missingFieldCases(register, ['email', 'password', 'displayName']),
      ...fieldCases(register, 'email', [
        ['not an email', 'not-an-email'],
        ['a number', 42],
        ['null', null],
        ['SQL', "' OR 1=1 --"],
        ['10,000 characters', `${'a'.repeat(10_000)}@example.com`],
      ]),
      ...fieldCases(register, 'password', [
        ['too short', 'short'],
        ['a number', 12345678],
        ['an array', ['a long password']],
        ['10,000 characters', 'p'.repeat(10_000)],
      ]),
      ...fieldCases(register, 'displayName', [
        ['empty', ''],
        ['only blanks', '   '],
        ['an object', { first: 'Ada' }],
        ['10,000 characters', 'd'.repeat(10_000)],
      ]),
      ...commonBadInputs(login),
      ...missingFieldCases(login, ['email', 'password']),
      ...fieldCases(login, 'email', [
        ['not an email', 'nobody'],
        ['a boolean', true],
      ]),
      ...fieldCases(login, 'password', [
        ['a number', 1],
        ['10,000 characters', 'p'.repeat(10_000)],
      ]),
      ...commonBadInputs(logout),
      { method: 'DELETE', path: '/identity/sessions/current', name: 'a JSON body it does not want, as text/plain', raw: 'bye', headers: { 'content-type': 'text/plain' }, auth: true, status: 415 },
      { method: 'DELETE', path: '/identity/sessions/current', name: 'a token of an unknown session signed elsewhere', token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', status: 401 },
      { method: 'GET', path: '/identity/registrations', name: 'an unknown method on a known path', status: 404 },
      { method: 'POST', path: `/identity/sessions/${unknownId()}`, name: 'an unknown path', body: {}, status: 404 },
    ];
    badInputTable(cases, () => fx);
  });
});
