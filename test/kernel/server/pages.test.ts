import { expect } from 'chai';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import { expectProblem, expectStatus } from '../../support/http.js';

describe('pages for people: landing, API reference, README, docs, the console', function () {
  this.timeout(30_000);
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(async () => app?.stop());

  it('GET / is a page that says where to go (not a 404); POST / still is a 404', async () => {
    const landing = await app.request('GET', '/');
    expectStatus(landing, 200);
    expect(landing.headers.get('content-type')).to.match(/^text\/html/);
    for (const link of ['href="/api"', 'href="/admin/console/"', 'href="/readme#walk-through"', 'href="/openapi.json"']) expect(landing.text).to.include(link);
    expectProblem(await app.request('POST', '/'), 404);
  });

  it('serves the API reference, the README (with its walk-through), the design documents and the screenshots', async () => {
    for (const [path, type] of [['/api', /^text\/html/], ['/pages/api.js', /javascript/], ['/readme', /^text\/html/], ['/readme.md', /^text\/markdown/], ['/docs/DESIGN.md', /^text\/markdown/], ['/docs/console-pending-order.png', /^image\/png/], ['/admin/console/', /^text\/html/], ['/admin/console/app.js', /javascript/]] as const) {
      const reply = await app.request('GET', path);
      expect(reply.status, path).to.equal(200);
      expect(reply.headers.get('content-type'), path).to.match(type);
    }
    expect((await app.request('GET', '/readme.md')).text).to.include('## Walk-through');
    expectProblem(await app.request('GET', '/docs/nope.md'), 404);
    expectProblem(await app.request('GET', '/pages/../../../package.json'), 404);
  });
});

describe('the console with SEAMS_ADMIN_TOKEN: guarded like /admin, with a sign-in for browsers', function () {
  this.timeout(30_000);
  const adminToken = 'console-admin-token-0123456789';
  let app: TestApp;
  before(async () => {
    app = await startApp({ config: { adminToken } });
  });
  after(async () => app?.stop());

  it('a browser without the token is sent to sign in; a wrong token is 401; the right one sets an HttpOnly, SameSite=Strict cookie that opens the console and /admin', async () => {
    const redirected = await fetch(`${app.base}/admin/console/`, { redirect: 'manual' });
    expect([redirected.status, redirected.headers.get('location')]).to.deep.equal([302, '/admin-sign-in']);
    expectStatus(await app.request('GET', '/admin-sign-in'), 200);
    expectProblem(await app.request('POST', '/admin-sign-in', { body: { token: `${adminToken}x` } }), 401);
    expectProblem(await app.request('GET', '/admin/console/app.js', { headers: { cookie: 'seams_admin=guess' } }), 401);
    expectProblem(await app.request('GET', '/admin/projections', { headers: { cookie: 'seams_admin=%E0%A4%A' } }), 401);
    const signedIn = await app.request('POST', '/admin-sign-in', { body: { token: adminToken } });
    expectStatus(signedIn, 204);
    const cookie = signedIn.headers.get('set-cookie')!;
    expect(cookie).to.match(/^seams_admin=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);
    const headers = { cookie: cookie.split(';')[0]! };
    expectStatus(await app.request('GET', '/admin/console/', { headers }), 200);
    expectStatus(await app.request('GET', '/admin/projections', { headers }), 200);
    expectStatus(await app.request('GET', '/metrics', { headers }), 200);
    expectStatus(await app.request('GET', '/admin/console/', { token: adminToken }), 200);
  });
});
