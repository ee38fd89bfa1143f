import { expect } from 'chai';
import type { RouteDefinition } from '../../../src/kernel/host.js';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import { expectProblem, expectStatus, withModule } from '../../support/http.js';
import { CALLERS, useRouteTable } from '../../support/routeTable.js';

/** Events the requests with this X-Request-Id appended after `after` (it is their correlation id). */
const appendedBy = async (app: TestApp, requestId: string, after: number) => (await app.server.store.readAll({ after, maxCount: 1000 })).filter((e) => e.metadata.correlationId === requestId);

describe('Idempotency-Key on every POST of every module (API.md, "General rules")', function () {
  this.timeout(120_000);
  const fx = useRouteTable();

  it('a repeat answers the first answer again (status, body, Event-Position) with no second effect; another request under the key is a 422', async () => {
    const posts = Object.entries(fx.table).filter(([route]) => route.startsWith('POST /') && !/^POST \/(admin|health)\//.test(route));
    expect(posts.map(([route]) => route)).to.have.length.at.least(12);
    for (const [route, entry] of posts) {
      const caller = CALLERS.find((kind) => entry.expected[kind] < 300)!;
      const built = await entry.request(caller, true);
      const token = built.token ?? fx.tokens[caller];
      const key = crypto.randomUUID();
      const send = (body: unknown, requestId: string) => fx.app.request('POST', built.path, { token, body, headers: { 'idempotency-key': key, 'x-request-id': requestId } });
      const before = await fx.app.headPosition();
      const first = await send(built.body, `first-${key}`);
      expect(first.status, `${route}: ${first.text}`).to.be.within(200, 299);
      const again = await send(built.body, `again-${key}`);
      expect(again.status, route).to.equal(first.status);
      expect(again.text, route).to.equal(first.text);
      expect(again.headers.get('event-position'), route).to.equal(first.headers.get('event-position'));
      expect(again.headers.get('idempotent-replayed'), route).to.equal('true');
      const other = await send(built.body === undefined ? { another: 'body' } : { ...(built.body as object), another: 'body' }, `other-${key}`);
      expectProblem(other, 422);
      expect(await appendedBy(fx.app, `again-${key}`, before), `${route}: appended by the repeat`).to.deep.equal([]);
      expect(await appendedBy(fx.app, `other-${key}`, before), `${route}: appended by the other request`).to.deep.equal([]);
    }
  });

  it('a login answered again gives the same token, which works; the kept answer is sealed at rest', async () => {
    const ada = await fx.app.signUp('Replay');
    const key = crypto.randomUUID();
    const login = () => fx.app.request('POST', '/identity/sessions', { body: { email: ada.email, password: ada.password }, headers: { 'idempotency-key': key } });
    const [first, again] = [await login(), await login()];
    expect(again.body.token).to.equal(first.body.token);
    expectStatus(await fx.app.request('GET', '/communications/mails', { token: again.body.token }), 200);
    const rows = await fx.app.server.runtime.context('identity').db('idempotency_keys').where({ key });
    expect(rows).to.have.length(1);
    expect(rows[0].caller).to.equal('anonymous:127.0.0.1');
    expect(rows[0].answer).not.to.include(first.body.token);
    expect(rows[0].answer).not.to.include(first.body.token.split('.')[1]);
  });

  it('kept per caller: another caller with the same key gets its own answer', async () => {
    const [ada, bob] = [await fx.app.signUp('Ada'), await fx.app.signUp('Bob')];
    const key = 'the-same-key-for-two-callers';
    const create = (token: string) => fx.app.request('POST', '/catalog/items', { token, body: { title: 'Lamp', priceCents: 5 }, headers: { 'idempotency-key': key } });
    const [a, b] = [await create(ada.token), await create(bob.token)];
    expectStatus(a, 201);
    expectStatus(b, 201);
    expect(a.body.itemId).not.to.equal(b.body.itemId);
    expect(b.headers.get('idempotent-replayed')).to.equal(null);
  });

  it('kept 24 hours: a key older than that is used again as new for another request', async () => {
    const ada = await fx.app.signUp('Ada');
    const key = crypto.randomUUID();
    const create = (title: string) => fx.app.request('POST', '/catalog/items', { token: ada.token, body: { title, priceCents: 5 }, headers: { 'idempotency-key': key } });
    const first = await create('Lamp');
    await fx.app.server.runtime.context('catalog').db('idempotency_keys').where({ key }).update({ created_at: Date.now() - 24 * 60 * 60_000 - 1000 });
    const later = await create('Chair');
    expectStatus(later, 201);
    expect(later.body.itemId).not.to.equal(first.body.itemId);
  });

  // The kept answer can be lost: its module database restored from a backup older than it (chaos
  // seed 2: a customer registered twice), or a crash between the append and keeping the answer.
  // The repeat then runs again, with the same new ids and event ids: whatever it decides, the log
  // takes nothing twice; it answers 409 when the module sees its first effect (the customer exists).
  it('the kept answer lost: the repeat acts no second time (same ids, same event ids), and answers 409 when the first effect shows', async () => {
    const ada = await fx.app.signUp('Ada');
    const repeats = [
      // Decides the same events again: the log takes them as a retry, and the first answer comes back.
      { module: 'catalog', path: '/catalog/items', token: ada.token, body: { title: 'Once', priceCents: 5 }, answer: 'the first' },
      // A new job's stream is not read before its acceptance (newStream): the same, not a "job exists".
      { module: 'jobs', path: '/jobs', token: ada.token, body: { type: 'report', payload: { once: true } }, answer: 'the first', status: 202 },
      // Refuses: the customer it would register exists (the first effect).
      { module: 'customers', path: '/customers', token: ada.token, body: { name: 'Once', email: 'once@example.com' }, answer: /exists already/ },
      { module: 'identity', path: '/identity/registrations', token: undefined, body: { email: `${crypto.randomUUID()}@example.com`, password: 'correct horse battery staple', displayName: 'Once' }, answer: /already registered/ },
    ];
    for (const { module, path, token, body, answer, status = 201 } of repeats) {
      const key = crypto.randomUUID();
      const send = (requestId: string) => fx.app.request('POST', path, { token, body, headers: { 'idempotency-key': key, 'x-request-id': requestId } });
      const first = await send(`first-${key}`);
      expectStatus(first, status);
      await fx.app.server.runtime.context(module).db('idempotency_keys').where({ key }).delete();
      const head = await fx.app.headPosition();
      const again = await send(`again-${key}`);
      expect(await appendedBy(fx.app, `again-${key}`, head), `${path}: appended by the repeat`).to.deep.equal([]);
      if (answer === 'the first') {
        expect(again.status, path).to.equal(first.status);
        expect(again.body, path).to.deep.equal(first.body);
        expect(again.headers.get('event-position'), path).to.equal(first.headers.get('event-position'));
      } else {
        expectProblem(again, 409);
        expect(again.body.detail, path).to.match(answer as RegExp);
      }
    }
  });
});

describe('Idempotency-Key: in flight, and across a restart', function () {
  this.timeout(60_000);

  it('a repeat while the first is still being handled is a 409; once it is answered, the repeat gets its answer', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const modules = withModule('catalog', (m) => ({
      ...m,
      routes: m.routes.map((r): RouteDefinition => (r.method === 'post' && r.path === '/items' ? { ...r, handle: async (input) => (await gate, r.handle(input)) } : r)),
    }));
    const app = await startApp({ modules });
    try {
      const ada = await app.signUp('Ada');
      const create = () => app.request('POST', '/catalog/items', { token: ada.token, body: { title: 'Slow', priceCents: 1 }, headers: { 'idempotency-key': 'slow-one' } });
      const first = create();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expectProblem(await create(), 409);
      release();
      const answered = await first;
      expectStatus(answered, 201);
      const again = await create();
      expect(again.body).to.deep.equal(answered.body);
    } finally {
      await app.stop();
    }
  });

  it('survives a restart: the repeat after it gets the first answer, with no second effect', async () => {
    const first = await startApp();
    const ada = await first.signUp('Ada');
    const customer = () => first.request('POST', '/customers', { token: ada.token, body: { name: 'Once', email: 'once@example.com' }, headers: { 'idempotency-key': 'across-a-restart' } });
    const before = await customer();
    expectStatus(before, 201);
    await first.server.close();
    const app = await startApp({ dataDir: first.dir });
    try {
      const head = await app.headPosition();
      const after = await app.request('POST', '/customers', { token: ada.token, body: { name: 'Once', email: 'once@example.com' }, headers: { 'idempotency-key': 'across-a-restart' } });
      expect(after.status).to.equal(201);
      expect(after.body).to.deep.equal(before.body);
      expect(after.headers.get('event-position')).to.equal(before.headers.get('event-position'));
      expect(await app.headPosition()).to.equal(head);
    } finally {
      await app.stop();
      await first.stop();
    }
  });
});

describe('Idempotency-Key: the kept answer lost, and the repeat decides other content', function () {
  this.timeout(60_000);

  it('its first append is refused as the same work’s: a 409 that says the request took effect before, never a second effect', async () => {
    // Items whose title changes each time the handler runs (as a timestamp in an event would).
    let runs = 0;
    const modules = withModule('catalog', (m) => ({
      ...m,
      routes: m.routes.map((r) => (r.method === 'post' && r.path === '/items' ? { ...r, handle: (input) => r.handle({ ...input, body: { ...input.body, title: `${input.body.title} #${++runs}` } }) } : r)),
    }));
    const app = await startApp({ modules });
    try {
      const ada = await app.signUp('Ada');
      const key = crypto.randomUUID();
      const send = (requestId: string) => app.request('POST', '/catalog/items', { token: ada.token, body: { title: 'Lamp', priceCents: 5 }, headers: { 'idempotency-key': key, 'x-request-id': requestId } });
      expectStatus(await send('first'), 201);
      await app.server.runtime.context('catalog').db('idempotency_keys').where({ key }).delete();
      const head = await app.headPosition();
      const again = await send('again');
      expectProblem(again, 409);
      expect(again.body.detail).to.match(/took effect before/);
      expect(runs).to.equal(2);
      expect(await appendedBy(app, 'again', head)).to.deep.equal([]);
    } finally {
      await app.stop();
    }
  });
});
