import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { assertServable } from '../../src/kernel/config.js';
import { modules } from '../../src/application.js';
import { ValidationError, loadConfig, runCli } from '../../src/kernel/host.js';
import { REPO_ROOT } from '../support/serverProcess.js';
import { tempDir } from '../support/tempDir.js';

describe('configuration: numbers', () => {
  it('PORT, SEAMS_LEASE_TTL_MS and SEAMS_READY_MAX_LAG_S take decimal digits only, within their ranges', () => {
    expect(loadConfig({ PORT: '8080', SEAMS_LEASE_TTL_MS: '500', SEAMS_READY_MAX_LAG_S: '30' })).to.include({ port: 8080, leaseTtlMs: 500, readyMaxLagS: 30 });
    expect(loadConfig({}).readyMaxLagS).to.equal(undefined);
    // An empty PORT is a mistake, not port 0 (z.coerce.number() would read it as 0).
    for (const [name, bad] of [['PORT', ''], ['PORT', '0x50'], ['PORT', '65536'], ['SEAMS_LEASE_TTL_MS', '99'], ['SEAMS_READY_MAX_LAG_S', '0'], ['SEAMS_READY_MAX_LAG_S', '1.5']]) {
      expect(() => loadConfig({ [name!]: bad }), `${name}=${bad}`).to.throw(ValidationError, new RegExp(name!));
    }
  });
});

describe('configuration: where the server listens, and the admin credential', () => {
  it('HOST defaults to 127.0.0.1', () => {
    expect(loadConfig({}).host).to.equal('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0', SEAMS_ADMIN_TOKEN: 'x'.repeat(16) })).to.include({ host: '0.0.0.0', adminToken: 'x'.repeat(16) });
  });

  it('without SEAMS_ADMIN_TOKEN only loopback, and no cluster: anything else is refused with one line', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) expect(() => assertServable({ host }), host).not.to.throw();
    for (const host of ['0.0.0.0', '::', '192.0.2.10', 'example.com']) {
      expect(() => assertServable({ host }), host).to.throw(ValidationError, /^configuration: HOST=\S+ needs SEAMS_ADMIN_TOKEN/);
    }
    expect(() => assertServable({ cluster: true })).to.throw(ValidationError, /^configuration: cluster mode needs SEAMS_ADMIN_TOKEN/);
    expect(() => assertServable({ host: '0.0.0.0', cluster: true, adminToken: 'x'.repeat(16) })).not.to.throw();
  });
});

describe('configuration: a server that may not start says so in one line and exits non-zero', function () {
  this.timeout(60_000);
  const run = promisify(execFile);
  const start = async (args: string[], env: Record<string, string>) => {
    const dir = await tempDir('seams-refused-');
    try {
      await run(process.execPath, ['--import', 'tsx', ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', SEAMS_DATA_DIR: dir.path, PORT: '0', ...env }, timeout: 30_000 });
      return { code: 0, stderr: '' };
    } catch (error) {
      const failed = error as { code?: number; stderr?: string };
      return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
    } finally {
      await dir.cleanup();
    }
  };

  it('src/main.ts on HOST=0.0.0.0 without SEAMS_ADMIN_TOKEN', async () => {
    const { code, stderr } = await start(['src/main.ts'], { HOST: '0.0.0.0' });
    expect(code).to.equal(1);
    expect(stderr.trim().split('\n')).to.deep.equal(['seams: cannot start: configuration: HOST=0.0.0.0 needs SEAMS_ADMIN_TOKEN (without it the admin endpoints trust local clients, so the server listens on loopback only)']);
  });

  it('seams serve --modules … (a cluster member) without SEAMS_ADMIN_TOKEN', async () => {
    const err: string[] = [];
    const code = await runCli(['serve', '--modules', 'catalog'], { modules, io: { out: () => undefined, err: (s) => err.push(s), isTTY: false } });
    expect(code).to.not.equal(0);
    expect(err).to.deep.equal(['seams: configuration: cluster mode needs SEAMS_ADMIN_TOKEN, the secret cluster members authenticate their calls to each other with']);
  });
});
