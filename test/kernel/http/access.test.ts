/**
 * The authorization table (API.md, "Who may do what"): every route of the running application,
 * as its route definitions give it (the OpenAPI document is generated from them), against every
 * kind of caller, with the status each must get — asserted against the real server. A route
 * without an entry here, or an entry without a route, fails the table.
 */
import { expect } from 'chai';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import { CALLERS, useRouteTable } from '../../support/routeTable.js';

describe('who may do what: the authorization table, every route × every caller, on the real server', function () {
  this.timeout(120_000);
  const fx = useRouteTable();
  const request = (method: string, path: string, init: { token?: string; body?: unknown } = {}) => fx.app.request(method, path, init);

  let routes: string[] = [];
  before(async () => {
    const doc = (await fx.app.request('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
  });

  it('has an entry for every route of the application, and no entry for a route it does not have', () => {
    const modules = fx.app.server.runtime.modules.flatMap((m) => m.routes.map((r) => `${r.method.toUpperCase()} /${m.name}${r.path}`.replace(/:(\w+)/g, '{$1}')));
    expect(routes, 'the OpenAPI document lists every module route').to.include.members(modules);
    expect(Object.keys(fx.table).sort(), 'entries').to.deep.equal([...routes].sort());
    for (const [route, entry] of Object.entries(fx.table)) expect(Object.keys(entry.expected).sort(), route).to.deep.equal([...CALLERS].sort());
  });

  it(`every cell: each route × each of the ${CALLERS.length} callers gets its expected status`, async () => {
    const wrong: string[] = [];
    let cells = 0;
    for (const [route, entry] of Object.entries(fx.table)) {
      const method = route.split(' ')[0]!;
      for (const caller of CALLERS) {
        const expected = entry.expected[caller];
        const built = await entry.request(caller, expected < 300);
        const reply = await request(method, built.path, { token: built.token ?? fx.tokens[caller], body: built.body });
        cells++;
        if (reply.status !== expected) wrong.push(`${route} as ${caller}: ${reply.status}, expected ${expected} (${reply.text.slice(0, 160)})`);
        else if (expected >= 400) expect(reply.headers.get('content-type'), `${route} as ${caller}`).to.match(/^application\/problem\+json/);
      }
    }
    expect(wrong, `${wrong.length} of ${cells} cells`).to.deep.equal([]);
    expect(cells).to.equal(routes.length * CALLERS.length);
  });
});

describe('who may do what: the admin credential and the order of checks', function () {
  let app: TestApp;
  before(async () => {
    app = await startApp(); // no SEAMS_ADMIN_TOKEN: admin routes answer local clients only
  });
  after(async () => app?.stop());

  it('authentication comes first: a request that needs a token and has none (or a bad one) is a 401 at once, before any Min-Position wait', async () => {
    const unreachable = { 'min-position': String(Number.MAX_SAFE_INTEGER) };
    for (const [method, path] of [
      ['GET', `/customers/${crypto.randomUUID()}`],
      ['GET', '/communications/mails'],
      ['POST', `/orders/${crypto.randomUUID()}/cancellation`],
      ['GET', '/jobs'],
    ] as const) {
      expect((await app.request(method, path, { headers: unreachable })).status, `${method} ${path}`).to.equal(401);
      expect((await app.request(method, path, { headers: unreachable, token: 'not.a.token' })).status, `${method} ${path}`).to.equal(401);
    }
  });

  it('without SEAMS_ADMIN_TOKEN a local client is the admin on admin routes only; a request a proxy forwarded is not, whatever its socket', async () => {
    expect((await app.request('GET', '/admin/projections')).status).to.equal(200);
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-host']) {
      const reply = await app.request('GET', '/admin/projections', { headers: { [header]: header === 'forwarded' ? 'for=203.0.113.7' : '203.0.113.7' } });
      expect(reply.status, header).to.equal(401);
    }
    // Not a member either: a local client without a token is anonymous on member routes.
    expect((await app.request('GET', '/communications/mails')).status).to.equal(401);
    const user = await app.signUp('Not an operator');
    expect((await app.request('GET', '/admin/projections', { token: user.token })).status).to.equal(403);
  });
});
