import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { modules } from '../../src/application.js';
import { runCli } from '../../src/kernel/host.js';
import { startApp } from '../support/httpHarness.js';
import { createItems, placeOrder, registerCustomer, startShop, untilQuiet, untilStatus } from '../support/ordersFixture.js';
import { tempDir } from '../support/tempDir.js';

/** Every file and directory under `dir` with its mode, relative to it. */
function modes(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const stat = statSync(path);
      found[`${relative(dir, path)}${stat.isDirectory() ? '/' : ''}`] = (stat.mode & 0o777).toString(8);
      if (stat.isDirectory()) walk(path);
    }
  };
  found['./'] = (statSync(dir).mode & 0o777).toString(8);
  walk(dir);
  return found;
}

const wider = (found: Record<string, string>) => Object.entries(found).filter(([path, mode]) => mode !== (path.endsWith('/') ? '700' : '600'));

describe('at rest: the data directory is 0700 and every file in it 0600', function () {
  this.timeout(30_000);

  it('as the server makes it: stores and module databases (with their -wal and -shm), the token secret, mail files', async () => {
    const app = await startShop();
    const { dir } = app;
    try {
      const [tea] = (await createItems(app, [100])) as [string];
      const { customerId } = await registerCustomer(app);
      await untilStatus(app, await placeOrder(app, customerId, [{ itemId: tea, quantity: 1 }]), 'confirmed');
      await untilQuiet(app);
      const found = modes(dir);
      expect(found).to.include.keys(['./', 'events.sqlite', 'events.sqlite-wal', 'token-secret', 'modules/', 'modules/identity.sqlite', 'modules/identity.sqlite-wal', 'modules/communications-files/mails/']);
      expect(Object.keys(found).filter((p) => p.endsWith('.eml'))).to.have.length(1);
      expect(wider(found)).to.deep.equal([]);
    } finally {
      await app.stop();
    }
  });

  it('as the CLI makes it (seams migrate on a new directory), with a umask that would leave it readable to all', async () => {
    const parent = await tempDir('seams-at-rest-');
    const old = process.umask(0o022);
    try {
      const dir = join(parent.path, 'data');
      const code = await runCli(['--data-dir', dir, 'migrate'], { modules, io: { out: () => undefined, err: () => undefined, isTTY: false } });
      expect(code).to.equal(0);
      const found = modes(dir);
      expect(found).to.include.keys(['./', 'events.sqlite', 'modules/', 'modules/catalog.sqlite']);
      expect(wider(found)).to.deep.equal([]);
    } finally {
      process.umask(old);
      await parent.cleanup();
    }
  });

  it('what an earlier version left readable to all is tightened when the server opens it', async () => {
    const dir = await tempDir('seams-at-rest-old-');
    try {
      chmodSync(dir.path, 0o755);
      mkdirSync(join(dir.path, 'modules'), { mode: 0o755 });
      for (const file of ['events.sqlite', 'modules/users.sqlite']) {
        closeSync(openSync(join(dir.path, file), 'w', 0o644));
        chmodSync(join(dir.path, file), 0o644);
      }
      const app = await startApp({ dataDir: dir.path });
      await app.server.close();
      expect(wider(modes(dir.path))).to.deep.equal([]);
    } finally {
      await dir.cleanup();
    }
  });
});
