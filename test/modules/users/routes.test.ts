import { expect } from 'chai';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import {
  HOSTILE_TEXTS,
  badInputTable,
  commonBadInputs,
  eventPosition,
  expectProblem,
  expectStatus,
  fieldCases,
  unknownId,
  wholeLog,
  withModule,
  wrapProjection,
  type BadInput,
  type Endpoint,
} from '../../support/http.js';

interface Fixture {
  app: TestApp;
  token: string;
  userId: string;
}

type User = Awaited<ReturnType<TestApp['signUp']>>;

describe('HTTP users', function () {
  let app: TestApp;
  let ada: User;
  let bob: User;
  let fx: Fixture;

  before(async () => {
    app = await startApp();
    ada = await app.signUp('Ada');
    bob = await app.signUp('Bob');
    fx = { app, token: ada.token, userId: ada.userId };
  });
  after(async () => app?.stop());

  const read = (userId: string, minPosition?: string) =>
    app.request('GET', `/users/${userId}`, { headers: minPosition === undefined ? {} : { 'min-position': minPosition } });

  describe('GET /users/:userId', () => {
    it('200 with exactly { userId, displayName, bio } and ETag "0" for a fresh profile', async () => {
      const reply = await read(bob.userId, bob.position);
      expectStatus(reply, 200);
      expect(reply.body).to.deep.equal({ userId: bob.userId, displayName: 'Bob', bio: '' });
      expect(reply.headers.get('etag')).to.equal('"0"');
    });

    it('404 problem for an unknown user', async () => {
      expectProblem(await read(unknownId()), 404);
    });
  });

  describe('PATCH /users/:userId', () => {
    it('200 with the new profile, ETag and Event-Position; a users.ProfileUpdated is appended and a read with Min-Position sees it', async () => {
      const user = await app.signUp('Carol');
      const reply = await app.request('PATCH', `/users/${user.userId}`, { token: user.token, body: { displayName: 'Caroline' } });
      expectStatus(reply, 200);
      expect(reply.body).to.deep.equal({ userId: user.userId, displayName: 'Caroline', bio: '' });
      expect(reply.headers.get('etag')).to.equal('"1"');
      const position = eventPosition(reply);
      expect(position).to.equal(await app.headOf(position));

      const event = await app.eventAt(position);
      expect(event!.type).to.equal('users.ProfileUpdated');
      expect(event!.data).to.deep.equal({ userId: user.userId, displayName: 'Caroline', bio: '' });
      expect(event!.metadata.actor).to.equal(user.userId);

      const after = await read(user.userId, position);
      expectStatus(after, 200);
      expect(after.body).to.deep.equal({ userId: user.userId, displayName: 'Caroline', bio: '' });
      expect(after.headers.get('etag')).to.equal('"1"');

      const bioOnly = await app.request('PATCH', `/users/${user.userId}`, { token: user.token, body: { bio: 'writes code' } });
      expectStatus(bioOnly, 200);
      expect(bioOnly.body).to.deep.equal({ userId: user.userId, displayName: 'Caroline', bio: 'writes code' });
      expect(bioOnly.headers.get('etag')).to.equal('"2"');
    });

    it("403 for someone else's profile, which stays unchanged; nothing appended", async () => {
      const before = await app.headPosition();
      expectProblem(await app.request('PATCH', `/users/${bob.userId}`, { token: ada.token, body: { displayName: 'Hacked' } }), 403);
      expect(await app.headPosition()).to.equal(before);
      expect((await read(bob.userId, bob.position)).body.displayName).to.equal('Bob');
    });

    it('If-Match: the current ETag (quoted, weak or bare) is accepted; a stale one is 412 and appends nothing', async () => {
      const user = await app.signUp('Dana');
      let etag = (await read(user.userId, user.position)).headers.get('etag')!;
      expect(etag).to.equal('"0"');
      let last = user.position;
      for (const [i, form] of [(e: string) => e, (e: string) => `W/${e}`, (e: string) => e.replace(/"/g, '')].entries()) {
        const reply = await app.request('PATCH', `/users/${user.userId}`, { token: user.token, body: { bio: `edit ${i}` }, headers: { 'if-match': form(etag) } });
        expectStatus(reply, 200);
        etag = reply.headers.get('etag')!;
        last = eventPosition(reply);
      }
      expect(etag).to.equal('"3"');

      const before = await app.headPosition();
      const stale = await app.request('PATCH', `/users/${user.userId}`, { token: user.token, body: { bio: 'lost update' }, headers: { 'if-match': '"1"' } });
      expectProblem(stale, 412);
      expect(await app.headPosition()).to.equal(before);
      expect((await read(user.userId, last)).body.bio).to.equal('edit 2');
    });

    it('a display name or bio that looks like SQL or markup is stored and returned verbatim', async () => {
      const user = await app.signUp('Eve');
      for (const text of HOSTILE_TEXTS) {
        const reply = await app.request('PATCH', `/users/${user.userId}`, { token: user.token, body: { displayName: text, bio: `bio: ${text}` } });
        expectStatus(reply, 200);
        expect(reply.body).to.deep.equal({ userId: user.userId, displayName: text, bio: `bio: ${text}` });
        const after = await read(user.userId, eventPosition(reply));
        expect(after.body).to.deep.equal({ userId: user.userId, displayName: text, bio: `bio: ${text}` });
      }
      const updates = (await wholeLog(app)).filter((e) => e.type === 'users.ProfileUpdated' && (e.data as { userId: string }).userId === user.userId);
      expect(updates.map((e) => (e.data as { displayName: string }).displayName)).to.deep.equal([...HOSTILE_TEXTS]);
    });
  });

  describe('bad inputs', () => {
    const patch: Endpoint<Fixture> = { method: 'PATCH', path: (f) => `/users/${f.userId}`, label: '/users/:userId', auth: true, validBody: () => ({ bio: 'fine' }) };
    const cases: BadInput<Fixture>[] = [
      ...commonBadInputs<Fixture>({ method: 'GET', path: (f) => `/users/${f.userId}`, label: '/users/:userId', auth: false }),
      { method: 'GET', path: '/users/not-a-uuid', name: 'a non-UUID id', status: 400, field: 'userId' },
      { method: 'GET', path: `/users/${'a'.repeat(1000)}`, name: 'a 1,000-character id', status: 400, field: 'userId' },
      { method: 'GET', path: "/users/'%20OR%201=1%20--", name: 'SQL in the id', status: 400, field: 'userId' },
      { method: 'GET', path: '/users/%E0%A4%A', name: 'broken percent-encoding in the id', status: 400 },
      { method: 'GET', path: `/users/${unknownId().toUpperCase()}x`, name: 'a UUID with a trailing character', status: 400, field: 'userId' },
      ...commonBadInputs(patch),
      { method: 'PATCH', path: '/users/not-a-uuid', name: 'a non-UUID id', body: { bio: 'x' }, auth: true, status: 400, field: 'userId' },
      { method: 'PATCH', path: (f) => `/users/${f.userId}`, label: '/users/:userId', name: 'If-Match: abc', body: { bio: 'x' }, headers: { 'if-match': 'abc' }, auth: true, status: 400, field: 'If-Match' },
      ...fieldCases(patch, 'displayName', [
        ['empty', ''],
        ['blank', '  '],
        ['a number', 7],
        ['null', null],
        ['10,000 characters', 'n'.repeat(10_000)],
      ]),
      ...fieldCases(patch, 'bio', [
        ['a number', 1],
        ['an array', ['bio']],
        ['2,001 characters', 'b'.repeat(2001)],
      ]),
    ];
    badInputTable(cases, () => fx);
  });
});

describe('HTTP users: an If-Match write right after a write, while the profiles projection lags', function () {
  let app: TestApp;
  let held = false;

  before(async () => {
    // The profiles projection cannot apply ProfileUpdated while `held` (a transient failure it retries).
    const modules = withModule('users', (m) =>
      wrapProjection(m, 'profiles', (events) => {
        if (held && events.some((e) => e.type === 'users.ProfileUpdated')) throw new Error('held by the test');
      }),
    );
    app = await startApp({ modules });
  });
  after(async () => {
    held = false;
    await app?.stop();
  });

  it('the ETag a PATCH returned is accepted by the next PATCH (the decision reads the profile stream, not the lagging read model)', async () => {
    const user = await app.signUp('Fay');
    expectStatus(await app.request('GET', `/users/${user.userId}`, { headers: { 'min-position': String(user.position) } }), 200);
    held = true;
    const first = await app.request('PATCH', `/users/${user.userId}`, { token: user.token, body: { displayName: 'Fay 1' }, headers: { 'if-match': '"0"' } });
    expectStatus(first, 200);
    expect(first.headers.get('etag')).to.equal('"1"');
    const second = await app.request('PATCH', `/users/${user.userId}`, { token: user.token, body: { bio: 'second edit' }, headers: { 'if-match': first.headers.get('etag')! } });
    expectStatus(second, 200);
    expect(second.body).to.deep.equal({ userId: user.userId, displayName: 'Fay 1', bio: 'second edit' });
    expect(second.headers.get('etag')).to.equal('"2"');
    const third = await app.request('PATCH', `/users/${user.userId}`, { token: user.token, body: { bio: 'third edit, no If-Match' } });
    expectStatus(third, 200);
    expect(third.headers.get('etag')).to.equal('"3"');
    const stale = await app.request('PATCH', `/users/${user.userId}`, { token: user.token, body: { bio: 'stale' }, headers: { 'if-match': '"1"' } });
    expectProblem(stale, 412);
    held = false;
    const stream = await app.server.store.readStream(`users.profile-${user.userId}`);
    expect(stream.map((e) => e.data)).to.deep.equal([
      { userId: user.userId, displayName: 'Fay 1', bio: '' },
      { userId: user.userId, displayName: 'Fay 1', bio: 'second edit' },
      { userId: user.userId, displayName: 'Fay 1', bio: 'third edit, no If-Match' },
    ]);
  });
});
