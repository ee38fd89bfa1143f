import { expect } from 'chai';
import { runCli } from '../../../src/kernel/host.js';
import { modules as applicationModules } from '../../../src/application.js';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import { eventually } from '../../support/http.js';
import { createItems } from '../../support/ordersFixture.js';

/**
 * `seams projections rebuild` against the data directory of a running server. It used to swap
 * the tables under the server, which kept reading the dropped generation until some write came:
 * GET /catalog/items answered 500 (`no such table: items_g1`) for as long as the system was idle.
 * Now the server, which leads catalog, takes the rebuild over and swaps it in itself.
 */
describe('seams projections rebuild while a server serves the data directory', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(async () => app?.stop());

  async function cli(args: string[]) {
    const err: string[] = [];
    const code = await runCli(['--data-dir', app.dir, ...args], { modules: applicationModules, io: { out: () => undefined, err: (s) => { err.push(s); if (process.env.DEBUG_CLI) console.error(s); }, isTTY: false } });
    return { code, err: err.join('\n') };
  }

  it('is handed to the server, whose reads never fail and move to the new generation without a write', async () => {
    const ids = await createItems(app, [100, 250]);
    const catalog = app.server.runtime.context('catalog');
    await catalog.catchUp(10_000);
    const before = catalog.tables('items').items;
    const answers: string[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const reply = await app.request('GET', '/catalog/items');
        const found = reply.status === 200 && ids.every((id) => reply.body.items.some((i: { itemId: string }) => i.itemId === id));
        answers.push(found ? 'ok' : `${reply.status} ${reply.text}`);
      }
    })();
    try {
      const { code, err } = await cli(['projections', 'rebuild', 'catalog/items']);
      expect(code, err).to.equal(0);
      expect(err).to.contain('catalog/items: a running process leads catalog and took the rebuild over');
      expect(err).to.match(/catalog\/items: rebuilt by the leader and swapped in as generation \d+/);
      // No write since: the server serves the new generation all the same.
      const after = await eventually(async () => catalog.tables('items').items !== before && catalog.tables('items').items);
      expect(err).to.contain(`generation ${after.replace(/^items_g/, '')}`);
      const settled = answers.length;
      await eventually(async () => answers.length >= settled + 20);
    } finally {
      reading = false;
      await reader;
    }
    expect(answers.filter((s) => s !== 'ok'), 'answers without both items').to.deep.equal([]);
  });
});
