import { expect } from 'chai';
import { startApp, type TestApp } from '../../support/httpHarness.js';

/**
 * A module's routes are matched by the kernel's route table (routeHandler.ts), not by an
 * express.Router per module: the same answers express's router gave, kept on purpose.
 */
describe('HTTP routing of module routes', function () {
  this.timeout(30_000);
  let app: TestApp;
  let itemPath: string;

  before(async () => {
    app = await startApp();
    const member = await app.signUp('Router');
    const created = await app.request('POST', '/catalog/items', { token: member.token, body: { title: 'Routed', priceCents: 7 } });
    expect(created.status, created.text).to.equal(201);
    itemPath = `/catalog/items/${created.body.itemId}`;
    const read = await app.request('GET', itemPath, { headers: { 'min-position': created.headers.get('event-position')! } });
    expect(read.status, read.text).to.equal(200);
  });
  after(async () => {
    await app?.stop();
  });

  it('a trailing slash and the case of the route’s own segments do not matter; the module’s name does', async () => {
    expect((await app.request('GET', `${itemPath}/`)).body.title).to.equal('Routed');
    expect((await app.request('GET', itemPath.replace('/items/', '/ITEMS/'))).body.title).to.equal('Routed');
    const moduleCased = await app.request('GET', itemPath.replace('/catalog/', '/Catalog/'));
    expect(moduleCased.status).to.equal(404);
    expect(moduleCased.headers.get('content-type')).to.match(/problem\+json/);
  });

  it('HEAD is answered by the GET route, with its headers and no body', async () => {
    const res = await fetch(`${app.base}${itemPath}`, { method: 'HEAD' });
    expect(res.status).to.equal(200);
    expect(res.headers.get('etag')).to.equal('"0"');
    expect(await res.text()).to.equal('');
  });

  it('OPTIONS lists the methods the path allows; a method it does not allow is a 404 problem', async () => {
    const options = await fetch(`${app.base}/catalog/items`, { method: 'OPTIONS' });
    expect(options.status).to.equal(200);
    expect(options.headers.get('allow')).to.equal('GET, HEAD, POST');
    const one = await fetch(`${app.base}${itemPath}`, { method: 'OPTIONS' });
    expect(one.headers.get('allow')).to.equal('GET, HEAD');
    const wrongMethod = await app.request('DELETE', itemPath);
    expect(wrongMethod.status).to.equal(404);
    expect(wrongMethod.body.detail).to.equal(`no route DELETE ${itemPath}`);
  });

  it('routes are tried in the order the module lists them: /jobs/pools/:type is the pool, not job "pools"', async () => {
    const member = await app.signUp('Pools');
    const pool = await app.request('GET', '/jobs/pools/report', { token: member.token });
    expect(pool.status, pool.text).to.equal(200);
    expect(pool.body).to.have.property('size');
  });

  it('the module’s root path is its route "" (POST /jobs), with or without a trailing slash', async () => {
    const member = await app.signUp('Root');
    for (const path of ['/jobs', '/jobs/']) {
      const res = await app.request('POST', path, { token: member.token, body: { type: 'report', payload: {} } });
      expect(res.status, res.text).to.equal(202);
    }
  });
});
