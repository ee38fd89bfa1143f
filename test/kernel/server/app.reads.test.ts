import { expect } from 'chai';
import { startApp, type TestApp } from '../../support/httpHarness.js';

/**
 * GETs read through the module's reader connections, not its one writer: a read is answered
 * while a long write transaction holds the writer (a projection batch, a rebuild's copy), and a
 * GET handler cannot write.
 */
describe('HTTP reads go through the module’s reader', function () {
  this.timeout(30_000);
  let app: TestApp;

  before(async () => {
    app = await startApp();
  });
  after(async () => {
    await app?.stop();
  });

  it('a GET is answered while a write transaction holds the module’s writer connection', async function () {
    if (process.env.SEAMS_TEST_SPLIT) this.skip(); // white-box: the runtime of this process
    const member = await app.signUp('Reader');
    const created = await app.request('POST', '/catalog/items', { token: member.token, body: { title: 'Read me', priceCents: 5 } });
    expect(created.status, created.text).to.equal(201);
    const path = `/catalog/items/${created.body.itemId}`;
    expect((await app.request('GET', path, { headers: { 'min-position': created.headers.get('event-position')! } })).status).to.equal(200);

    const writer = app.server.runtime.context('catalog').db;
    const holding = await writer.transaction(); // takes the only writer connection (and SQLite's write lock)
    try {
      const read = app.request('GET', path).then((r) => r.status);
      const outcome = await Promise.race([read, new Promise((r) => setTimeout(() => r('still waiting'), 5000))]);
      expect(outcome).to.equal(200);
    } finally {
      await holding.rollback();
    }
  });

  it('the reading context refuses writes', async function () {
    if (process.env.SEAMS_TEST_SPLIT) this.skip();
    const reading = app.server.runtime.readingContext('catalog');
    let refused: unknown;
    await reading.db.raw('CREATE TABLE should_not_exist (x)').catch((error) => (refused = error));
    expect(String(refused)).to.match(/readonly|read-only/i);
  });
});
