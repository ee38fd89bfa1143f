import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { modules as applicationModules } from '../../../src/application.js';
import type { RecordedEvent } from '../../../src/kernel/host.js';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import { expectParserProblems } from '../../support/rawHttp.js';
import {
  UUID,
  badInputTable,
  commonBadInputs,
  eventPosition,
  eventually,
  expectNoStackTrace,
  expectProblem,
  expectStatus,
  wholeLog,
  withModule,
  wrapProjection,
  type BadInput,
} from '../../support/http.js';

interface Fixture {
  app: TestApp;
}

type User = Awaited<ReturnType<TestApp['signUp']>>;

interface ProjectionRow {
  module: string;
  projection: string;
  position: number;
  headPosition: number;
  lag: number;
  state: string;
  error?: { message: string; position: number | null; eventId: string | null };
}

const EXPECTED_PROJECTIONS = [
  'catalog/access',
  'catalog/items',
  'catalog/users_replica',
  'chat/access',
  'chat/messages',
  'chat/users_replica',
  'identity/access',
  'identity/registered_users',
  'users/access',
  'users/profiles',
];

describe('HTTP operations and general rules', function () {
  let app: TestApp;
  let ada: User;

  before(async () => {
    app = await startApp();
    ada = await app.signUp('Ada');
  });
  after(async () => app?.stop());

  describe('health', () => {
    it('GET /health/live → 200 { status: "live" }', async () => {
      const reply = await app.request('GET', '/health/live');
      expectStatus(reply, 200);
      expect(reply.body).to.deep.equal({ status: 'live' });
    });

    it('GET /health/ready → 200 { status: "ready", headPosition }', async () => {
      const reply = await app.request('GET', '/health/ready');
      expectStatus(reply, 200);
      expect(reply.body).to.deep.equal({ status: 'ready', headPosition: await app.headPosition() });
    });
  });

  describe('admin (no SEAMS_ADMIN_TOKEN: loopback clients only, as these tests are)', () => {
    it('GET /admin/projections lists every projection of every module with position, head, lag and state', async () => {
      // Make every module catch up first: a read with Min-Position on each.
      const head = await app.headPosition();
      for (const path of [`/users/${ada.userId}`, `/catalog/items?ownerId=${ada.userId}`]) {
        expectStatus(await app.request('GET', path, { headers: { 'min-position': String(head) } }), 200);
      }
      const reply = await app.request<ProjectionRow[]>('GET', '/admin/projections');
      expectStatus(reply, 200);
      const listed = reply.body.map((p) => `${p.module}/${p.projection}`).sort();
      const defined = app.server.runtime.modules.flatMap((m) => m.projections.map((p) => `${m.name}/${p.name}`)).sort();
      expect(listed).to.include.members(defined);
      expect(listed).to.include.members(EXPECTED_PROJECTIONS);
      for (const p of reply.body) {
        expect(p.headPosition).to.be.at.least(head);
        expect(p.position).to.be.at.most(p.headPosition);
        expect(p.lag).to.equal(p.headPosition - p.position);
      }
      for (const p of reply.body.filter((p) => EXPECTED_PROJECTIONS.includes(`${p.module}/${p.projection}`))) {
        expect(p.state).to.be.oneOf(['live', 'catching-up']);
        expect(p).not.to.have.property('error');
      }
      for (const p of reply.body.filter((p) => ['users/profiles', 'catalog/users_replica', 'catalog/items'].includes(`${p.module}/${p.projection}`))) {
        expect(p.position, `${p.module}/${p.projection}`).to.be.at.least(head);
      }
    });

    it('GET /admin/streams/:stream returns the stream’s events in order; 404 for an unknown stream; from and limit page it', async () => {
      let position = 0;
      for (const bio of ['one', 'two', 'three']) position = Number(eventPosition(await app.request('PATCH', `/users/${ada.userId}`, { token: ada.token, body: { bio } })));
      const stream = `users.profile-${ada.userId}`;
      const reply = await app.request('GET', `/admin/streams/${stream}`);
      expectStatus(reply, 200);
      expect(reply.body.stream).to.equal(stream);
      const events = reply.body.events as RecordedEvent<{ bio: string }>[];
      expect(events.map((e) => [e.type, e.revision, e.data.bio])).to.deep.equal([
        ['users.ProfileUpdated', 0, 'one'],
        ['users.ProfileUpdated', 1, 'two'],
        ['users.ProfileUpdated', 2, 'three'],
      ]);
      expect(events.at(-1)!.position).to.equal(position);
      for (const e of events) expect(e).to.include.keys('id', 'stream', 'revision', 'position', 'type', 'schemaVersion', 'data', 'metadata', 'recordedAt');
      const page = await app.request('GET', `/admin/streams/${stream}?from=1&limit=1`);
      expect(page.body.events.map((e: RecordedEvent) => e.revision)).to.deep.equal([1]);
      expectProblem(await app.request('GET', `/admin/streams/users.profile-${crypto.randomUUID()}`), 404);
    });

    it('GET /admin/events?after=&limit= pages the log in position order, with the head position', async () => {
      const head = await app.headPosition();
      expect(head).to.be.greaterThan(3);
      const reply = await app.request('GET', '/admin/events?after=1&limit=2');
      expectStatus(reply, 200);
      expect(reply.body.headPosition).to.equal(head);
      expect(reply.body.events.map((e: RecordedEvent) => e.position)).to.deep.equal([2, 3]);
      const all = await app.request('GET', `/admin/events?after=0&limit=1000`);
      expect(all.body.events.map((e: RecordedEvent) => e.position)).to.deep.equal(Array.from({ length: head }, (_, i) => i + 1));
      const end = await app.request('GET', `/admin/events?after=${head}`);
      expect(end.body).to.deep.equal({ events: [], headPosition: head });
    });
  });

  describe('secrets', () => {
    it('after register, login and logout: no password or token in any event, no secret field in a public event, and the hash shown as "[redacted]"', async () => {
      const password = 'a very secret passphrase 42';
      const user = await app.signUp('Secretive', `${crypto.randomUUID()}@example.com`, password);
      const second = await app.request('POST', '/identity/sessions', { body: { email: user.email, password } });
      expectStatus(second, 201);
      expect((await app.request('DELETE', '/identity/sessions/current', { token: user.token })).status).to.equal(204);
      expectStatus(await app.request('POST', '/catalog/items', { token: second.body.token, body: { title: 'after login', priceCents: 1 } }), 201);

      const log = await wholeLog(app);
      const publicTypes = new Set(applicationModules.flatMap((m) => m.publicEvents.map((e) => e.type)));
      const passwordSet = log.filter((e) => e.type === 'identity.PasswordSet' && (e.data as { userId: string }).userId === user.userId);
      expect(passwordSet).to.have.length(1);
      const hash = (passwordSet[0]!.data as { passwordHash: string }).passwordHash;
      expect(hash).to.be.a('string').with.length.greaterThan(20);
      expect(hash).not.to.include(password);

      const tokens = [user.token, second.body.token as string];
      const signatures = tokens.map((t) => t.split('.')[2]!);
      for (const event of log) {
        const json = JSON.stringify(event);
        expect(json, event.type).not.to.include(password);
        for (const secret of [...tokens, ...signatures]) expect(json, event.type).not.to.include(secret);
        if (!publicTypes.has(event.type)) continue;
        expect(json, event.type).not.to.include(hash);
        expect(json, event.type).not.to.match(/scrypt\$/);
        expect(Object.keys(event.data as object).join(','), event.type).not.to.match(/password|hash|token|secret/i);
      }
      const publicSeen = new Set(log.filter((e) => publicTypes.has(e.type)).map((e) => e.type));
      expect([...publicSeen]).to.include.members(['identity.UserRegistered', 'identity.LoginSucceeded', 'identity.LoggedOut', 'catalog.ItemCreated']);

      const admin = await app.request('GET', '/admin/events?limit=1000');
      expectStatus(admin, 200);
      expect(admin.text).not.to.include(hash);
      expect(admin.text).not.to.include(password);
      const redacted = (admin.body.events as RecordedEvent<{ userId: string; passwordHash: string }>[]).filter((e) => e.type === 'identity.PasswordSet');
      expect(redacted.length).to.be.greaterThan(0);
      for (const e of redacted) expect(e.data.passwordHash).to.equal('[redacted]');
      const stream = await app.request('GET', `/admin/streams/${passwordSet[0]!.stream}`);
      expectStatus(stream, 200);
      expect(stream.text).not.to.include(hash);
      expect(stream.body.events.map((e: RecordedEvent<{ passwordHash?: string }>) => [e.type, e.data.passwordHash])).to.deep.equal([
        ['identity.UserRegistered', undefined],
        ['identity.PasswordSet', '[redacted]'],
      ]);
    });

    it('the token secret file <dataDir>/token-secret exists with mode 0600', async function () {
      if (process.env.SEAMS_TOKEN_SECRET) this.skip();
      const info = await stat(join(app.dir, 'token-secret'));
      expect(info.isFile()).to.equal(true);
      expect((info.mode & 0o777).toString(8)).to.equal('600');
    });
  });

  describe('general rules', () => {
    it('an unknown route is a 404 problem+json, also under /admin, /health and a module', async () => {
      for (const [method, path] of [
        ['GET', '/nope'],
        ['POST', '/'],
        ['GET', '/admin/nope'],
        ['GET', '/health/nope'],
        ['PUT', `/users/${ada.userId}`],
        ['DELETE', '/catalog/items'],
      ] as const) {
        expectProblem(await app.request(method, path), 404);
      }
    });

    it('X-Request-Id: a well-formed one is echoed, also on problems; a malformed one is replaced by a fresh id', async () => {
      const echoed = await app.request('GET', '/health/live', { headers: { 'x-request-id': 'client-req.42_a' } });
      expect(echoed.headers.get('x-request-id')).to.equal('client-req.42_a');
      const onProblem = await app.request('GET', '/nope', { headers: { 'x-request-id': 'problem-req-7' } });
      expect(onProblem.status).to.equal(404);
      expect(onProblem.headers.get('x-request-id')).to.equal('problem-req-7');
      const replaced = await app.request('GET', '/health/live', { headers: { 'x-request-id': '<script>alert(1)</script>' } });
      expect(replaced.headers.get('x-request-id')).to.match(UUID);
      expect((await app.request('GET', '/health/live')).headers.get('x-request-id')).to.match(UUID);
    });

    it('the request id becomes the correlation id of the events a write appends', async () => {
      const reply = await app.request('POST', '/catalog/items', { token: ada.token, body: { title: 'correlated', priceCents: 3 }, headers: { 'x-request-id': 'corr-abc-123' } });
      expectStatus(reply, 201);
      const [event] = await app.server.store.readAll({ after: Number(eventPosition(reply)) - 1, maxCount: 1 });
      expect(event!.metadata).to.include({ correlationId: 'corr-abc-123', actor: ada.userId, module: 'catalog' });
    });

    it('a write answers Event-Position; a read with that Min-Position sees the write at once', async () => {
      const write = await app.request('POST', '/catalog/items', { token: ada.token, body: { title: 'read your write', priceCents: 9 } });
      expectStatus(write, 201);
      const position = eventPosition(write);
      expect(Number(position)).to.equal(await app.headPosition());
      const read = await app.request('GET', `/catalog/items?ownerId=${ada.userId}&limit=500`, { headers: { 'min-position': position } });
      expectStatus(read, 200);
      expect(read.body.items.map((i: { itemId: string }) => i.itemId)).to.include(write.body.itemId);
      const same = await app.request('GET', `/catalog/items/${write.body.itemId}`, { headers: { 'min-position': ` ${position} ` } });
      expectStatus(same, 200);
    });

    it('what node’s HTTP parser refuses is problem+json too: headers over 16 KB → 431, a malformed request line → 400; the log is unchanged', async () => {
      const head = await app.headPosition();
      await expectParserProblems(app.server.port);
      expect(await app.headPosition()).to.equal(head);
      expectStatus(await app.request('GET', '/health/live'), 200);
    });

    it('a Min-Position far beyond the head answers 503 with Retry-After after the bounded wait', async function () {
      this.timeout(15_000);
      const future = (await app.headPosition()) + 1_000_000;
      const reply = await app.request('GET', `/users/${ada.userId}`, { headers: { 'min-position': String(future) } });
      expectProblem(reply, 503);
      expect(reply.headers.get('retry-after')).to.match(/^[1-9]\d*$/);
      expect(reply.body.detail).to.include(String(future));
    });
  });

  describe('GET /openapi.json', () => {
    let doc: {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: { 'application/json': { schema: Schema } } }; parameters: { name: string; in: string; required: boolean; schema: Schema }[]; security?: unknown[]; 'x-access'?: unknown; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, Schema>; securitySchemes: Record<string, unknown> };
    };
    interface Schema {
      type?: string;
      required?: string[];
      properties?: Record<string, Schema>;
      enum?: unknown[];
      format?: string;
      maxLength?: number;
      items?: Schema;
    }

    before(async () => {
      const reply = await app.request('GET', '/openapi.json');
      expectStatus(reply, 200);
      expect(reply.headers.get('content-type')).to.match(/^application\/json/);
      doc = reply.body;
    });

    it('is OpenAPI 3.1 and lists every route of every running module, with its request schema', () => {
      expect(doc.openapi).to.match(/^3\.1\.\d+$/);
      let counted = 0;
      for (const module of app.server.runtime.modules) {
        for (const r of module.routes) {
          const path = `/${module.name}${r.path}`.replace(/:(\w+)/g, '{$1}');
          const operation = doc.paths[path]?.[r.method];
          expect(operation, `${r.method.toUpperCase()} ${path}`).to.be.an('object');
          if (r.body) expect(operation!.requestBody?.content['application/json'].schema, `${path} request body`).to.be.an('object');
          expect(operation!['x-access'], `${path} x-access`).to.deep.equal(r.access);
          if (r.access !== 'anyone') expect(operation!.security, `${path} security`).to.deep.equal([{ bearer: [] }]);
          counted++;
        }
      }
      expect(counted).to.be.at.least(12);
      for (const path of ['/health/live', '/health/ready', '/admin/projections', '/admin/events', '/admin/streams/{stream}']) expect(doc.paths[path]?.get, path).to.be.an('object');
      expect(doc.components.schemas.Problem!.required).to.include.members(['type', 'title', 'status', 'detail']);
    });

    it('documents the documented routes, methods, parameters and bodies', () => {
      const registration = doc.paths['/identity/registrations']!.post!.requestBody!.content['application/json'].schema;
      expect(registration.type).to.equal('object');
      expect(registration.required).to.include.members(['email', 'password', 'displayName']);
      expect(registration.properties!.email!.format).to.equal('email');

      const login = doc.paths['/identity/sessions']!.post!.requestBody!.content['application/json'].schema;
      expect(login.required).to.include.members(['email', 'password']);
      expect(doc.paths['/identity/sessions/current']!.delete!.security).to.deep.equal([{ bearer: [] }]);

      expect(Object.keys(doc.paths['/users/{userId}']!).sort()).to.deep.equal(['get', 'patch']);
      const patch = doc.paths['/users/{userId}']!.patch!;
      expect(Object.keys(patch.requestBody!.content['application/json'].schema.properties!)).to.include.members(['displayName', 'bio']);
      expect(patch.parameters.find((p) => p.name === 'userId')).to.include({ in: 'path', required: true });

      const createItem = doc.paths['/catalog/items']!.post!.requestBody!.content['application/json'].schema;
      expect(createItem.required).to.include.members(['title', 'priceCents']);
      expect(createItem.required).not.to.include('ownerId');
      expect(createItem.properties!.title!.maxLength).to.equal(200);
      const list = doc.paths['/catalog/items']!.get!;
      expect(list.parameters.map((p) => `${p.in}:${p.name}`)).to.include.members(['query:ownerId', 'query:limit', 'header:Min-Position']);
      const check = doc.paths['/catalog/items/{itemId}/owner-check']!.post!;
      expect(check.parameters.find((p) => p.name === 'mode')!.schema.enum).to.have.members(['strict', 'replica']);

      const start = doc.paths['/chat/conversations']!.post!.requestBody!.content['application/json'].schema;
      expect(start.required).to.deep.equal(['participantIds']);
      expect(start.properties!.participantIds!.type).to.equal('array');
      expect(Object.keys(doc.paths['/chat/conversations/{id}/messages']!).sort()).to.deep.equal(['get', 'post']);
      expect(doc.components.securitySchemes).to.have.property('bearer');
    });
  });

  describe('bad inputs to the operations endpoints', () => {
    const cases: BadInput<Fixture>[] = [
      ...commonBadInputs<Fixture>({ method: 'GET', path: '/admin/events', auth: false }),
      { method: 'GET', path: '/admin/events?limit=-5', name: 'limit=-5', status: 400, field: 'limit' },
      { method: 'GET', path: '/admin/events?limit=0', name: 'limit=0', status: 400, field: 'limit' },
      { method: 'GET', path: '/admin/events?limit=1001', name: 'limit=1001', status: 400, field: 'limit' },
      { method: 'GET', path: '/admin/events?after=-1', name: 'after=-1', status: 400, field: 'after' },
      { method: 'GET', path: '/admin/events?after=abc', name: 'after=abc', status: 400, field: 'after' },
      { method: 'GET', path: '/admin/events?after=1.5', name: 'after=1.5', status: 400, field: 'after' },
      { method: 'GET', path: '/admin/streams/x?limit=-5', name: 'stream limit=-5', status: 400, field: 'limit' },
      { method: 'GET', path: '/admin/streams/x?from=abc', name: 'stream from=abc', status: 400, field: 'from' },
      { method: 'GET', path: `/admin/streams/${'s'.repeat(300)}`, name: 'a 300-character stream name', status: 400, field: 'stream' },
      { method: 'GET', path: '/admin/streams/%E0%A4%A', name: 'broken percent-encoding in the stream name', status: 400 },
      { method: 'GET', path: "/admin/streams/'%3B%20DROP%20TABLE%20events%3B%20--", name: 'SQL as the stream name', status: 404 },
      ...commonBadInputs<Fixture>({ method: 'GET', path: '/health/ready', auth: false }),
      { method: 'POST', path: '/health/live', name: 'a POST with a 2 MB JSON body to a GET route', raw: JSON.stringify({ x: 'y'.repeat(2 * 1024 * 1024) }), headers: { 'content-type': 'application/json' }, status: 413 },
      { method: 'POST', path: '/health/live', name: 'a text/plain body', raw: 'hello', headers: { 'content-type': 'text/plain' }, status: 415 },
    ];
    badInputTable(cases, () => ({ app }));
  });
});

describe('HTTP operations: admin guard with SEAMS_ADMIN_TOKEN', function () {
  const adminToken = 'test-admin-token-0123456789abcdef';
  let app: TestApp;
  let user: User;
  let operator: User;
  before(async () => {
    app = await startApp({ config: { adminToken } });
    user = await app.signUp('Not an admin');
    operator = await app.operator('Operator');
  });
  after(async () => app?.stop());

  for (const path of ['/admin/projections', '/admin/events?limit=5', '/admin/streams/users.profile-x']) {
    it(`${path}: no token, a wrong token → 401 problem; a member's token → 403; the admin token or an operator's token → answered`, async () => {
      for (const headers of [{} as Record<string, string>, { authorization: `Bearer ${adminToken}x` }, { authorization: `Bearer ${adminToken.slice(0, -1)}` }, { authorization: adminToken }, { authorization: `Basic ${adminToken}` }]) {
        const reply = await app.request('GET', path, { headers });
        expectProblem(reply, 401);
        expect(reply.text).not.to.include(adminToken);
      }
      expectProblem(await app.request('GET', path, { token: user.token }), 403);
      for (const token of [adminToken, operator.token]) {
        const ok = await app.request('GET', path, { token });
        expect(ok.status).to.be.oneOf(path.startsWith('/admin/streams') ? [404] : [200]);
        expectNoStackTrace(ok);
      }
    });
  }

  it('health and module routes do not need the admin token', async () => {
    expectStatus(await app.request('GET', '/health/live'), 200);
    expectStatus(await app.request('GET', '/health/ready'), 200);
    expectStatus(await app.request('GET', `/users/${user.userId}`), 200);
  });
});

describe('HTTP operations: readiness when a projection has failed', function () {
  let app: TestApp;
  before(async () => {
    const modules = withModule('catalog', (m) =>
      wrapProjection(m, 'items', (events) => {
        if (events.length > 0) throw new Error('items projection is broken (test)');
      }),
    );
    app = await startApp({ modules });
  });
  after(async () => app?.stop());

  it('ready is 200 before; once catalog/items stops on an event it cannot apply, ready is 503 and /admin/projections shows which event and why', async () => {
    expectStatus(await app.request('GET', '/health/ready'), 200);
    const user = await app.signUp('Owner');
    const item = await app.request('POST', '/catalog/items', { token: user.token, body: { title: 'poison', priceCents: 1 } });
    expectStatus(item, 201);
    const position = Number(eventPosition(item));

    const failed = await eventually(async () => {
      const reply = await app.request<ProjectionRow[]>('GET', '/admin/projections');
      return reply.body.find((p) => p.module === 'catalog' && p.projection === 'items' && p.state === 'failed');
    });
    expect(failed.error).to.include({ message: 'items projection is broken (test)', position });
    expect(failed.position).to.be.below(position);

    const ready = await app.request('GET', '/health/ready');
    expectProblem(ready, 503);
    expect(ready.body.detail).to.include('catalog/items');
    expect(ready.body.detail).not.to.include('users/profiles');
    expectStatus(await app.request('GET', '/health/live'), 200);
    // The other modules keep answering.
    expectStatus(await app.request('GET', `/users/${user.userId}`, { headers: { 'min-position': String(position) } }), 200);
  });
});

describe('HTTP operations: readiness and /admin/projections with a parked stream', function () {
  this.timeout(30_000);
  const poisoned = () =>
    withModule('catalog', (m) =>
      wrapProjection(
        m,
        'items',
        (events) => {
          if (events.some((e) => (e.data as { title?: string }).title === 'poison')) throw new Error('cannot list a poison item (test)');
        },
        'park',
      ),
    );

  async function parkOne(app: TestApp) {
    const user = await app.signUp('Owner');
    const item = await app.request('POST', '/catalog/items', { token: user.token, body: { title: 'poison', priceCents: 1 } });
    expectStatus(item, 201);
    const other = await app.request('POST', '/catalog/items', { token: user.token, body: { title: 'Lamp', priceCents: 1 } });
    expectStatus(other, 201);
    // The other item's stream went on: it is listed.
    await eventually(async () => (await app.request('GET', '/catalog/items')).body.items?.some((i: { itemId: string }) => i.itemId === other.body.itemId));
    return Number(eventPosition(item));
  }

  it('by default ready is 200 "degraded", naming the projection; /admin/projections shows the stream, its event and error', async () => {
    const app = await startApp({ modules: poisoned() });
    try {
      const position = await parkOne(app);
      const row = await eventually(async () => (await app.request<ProjectionRow[]>('GET', '/admin/projections')).body.find((p) => p.module === 'catalog' && p.projection === 'items' && (p as { parked?: unknown[] }).parked));
      expect(row.state).to.equal('live');
      const { parked } = row as unknown as { parked: { position: number; error: string; events: number }[] };
      expect(parked).to.have.length(1);
      expect(parked[0]).to.deep.include({ position, error: 'cannot list a poison item (test)', events: 1 });
      const ready = await app.request('GET', '/health/ready');
      expectStatus(ready, 200);
      expect(ready.body).to.deep.include({ status: 'degraded', degraded: ['catalog/items has 1 parked stream(s)'] });
    } finally {
      await app.stop();
    }
  });

  it('with SEAMS_READY_PARKED=down, ready is 503 while a stream is parked', async () => {
    const app = await startApp({ modules: poisoned(), config: { readyParked: 'down' } });
    try {
      await parkOne(app);
      const ready = await eventually(async () => {
        const reply = await app.request('GET', '/health/ready');
        return reply.status === 503 && reply;
      });
      expectProblem(ready, 503);
      expect(ready.body.detail).to.equal('projections with parked streams: catalog/items has 1 parked stream(s)');
    } finally {
      await app.stop();
    }
  });
});
