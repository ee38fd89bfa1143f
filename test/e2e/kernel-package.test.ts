/**
 * The kernel as a package (packages/kernel): `npm pack` builds it (JavaScript, declarations, the
 * kernel's own migrations, the `seams` bin) and, with SEAMS_PACKAGE_SUITE=1, a project that has
 * nothing of this repository installs the tarball from the registry mirror, type-checks a module
 * of its own and one `seams new module` wrote against the declarations, runs them with the package's `seams serve` on SQLite, and is
 * driven over HTTP. The install takes about two minutes (npm resolving and unpacking some 220
 * packages), too long for every `npm test`; by default only the tarball is built and checked.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { writePackageApp } from '../support/packageApp.js';
import { REPO_ROOT, freePort, requestJson, startServerProcess } from '../support/serverProcess.js';
import { tempDir } from '../support/tempDir.js';

const run = promisify(execFile);
const installs = process.env.SEAMS_PACKAGE_SUITE === '1';
const npm = (cwd: string, args: string[]) => run('npm', args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false' } });

describe(`the kernel as a package (${installs ? 'packed, installed and run' : 'packed; SEAMS_PACKAGE_SUITE=1 installs and runs it'})`, function () {
  this.timeout(600_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let tarball: string;

  before(async () => {
    dir = await tempDir('seams-package-');
    const { stdout } = await npm(join(REPO_ROOT, 'packages/kernel'), ['pack', '--pack-destination', dir.path, '--json']);
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(dir.path, packed!.filename);
    files = packed!.files.map((f) => f.path);
  });
  after(async () => dir && (await dir.cleanup()));
  let files: string[] = [];

  it("packs both faces with their declarations, the bin, and the kernel's own migrations (and nothing of the application)", async () => {
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'packages/kernel/package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }>; bin: Record<string, string> };
    for (const face of ['.', './host']) {
      for (const target of Object.values(manifest.exports[face]!)) expect(files, face).to.include(target.replace(/^\.\//, ''));
    }
    expect(files).to.include(manifest.bin.seams);
    const migrations = files.filter((f) => f.startsWith('dist/migrations/') && f.endsWith('.js'));
    expect([...new Set(migrations.map((f) => f.split('/')[2]))].sort()).to.deep.equal(['cluster', 'event-store', 'event-store-postgres', 'module-kernel']);
    // knex would load a declaration as a migration of its own.
    expect(files.filter((f) => f.startsWith('dist/migrations/') && f.endsWith('.d.ts'))).to.deep.equal([]);
    expect(files.filter((f) => /^(src|dist\/src)\/modules\/|migrations\/identity\/|application\./.test(f))).to.deep.equal([]);
    expect(files).to.include('dist/src/kernel/server/pages/landing.html');
  });

  it('depends on every package its JavaScript imports, at the ranges this repository uses', async () => {
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'packages/kernel/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const ours = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const imported = new Set<string>();
    for (const file of files.filter((f) => f.endsWith('.js') && f.startsWith('dist/'))) {
      const text = await readFile(join(REPO_ROOT, 'packages/kernel', file), 'utf8');
      // Package names only: template text of the generators (`from '${…}'`) is not an import.
      for (const [, spec] of text.matchAll(/(?:from |import\()'((?:@[a-z0-9-]+\/)?[a-z0-9][\w.-]*(?:\/[\w./-]*)?)'/g)) {
        if (spec!.startsWith('node:')) continue;
        imported.add(spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!);
      }
    }
    expect([...imported].filter((name) => !manifest.dependencies[name])).to.deep.equal([]);
    for (const [name, range] of Object.entries(manifest.dependencies)) expect(range, name).to.equal(ours.dependencies[name] ?? ours.devDependencies[name]);
  });

  (installs ? it : it.skip)('installs into a project of its own, whose module (event, projection, process, route, migration) type-checks, starts on SQLite and answers over HTTP', async () => {
    const project = join(dir.path, 'notes-app');
    await writePackageApp(project);
    const ours = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    await npm(project, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `zod@${ours.dependencies.zod}`, `typescript@${ours.devDependencies.typescript}`, `@types/node@${ours.devDependencies['@types/node']}`]);
    // A module generated there imports @seams/kernel and type-checks with the application's own.
    const generated = await run(process.execPath, ['node_modules/.bin/seams', 'new', 'module', 'billing', '--access', 'anyone'], { cwd: project });
    expect(generated.stdout).to.include('create src/modules/billing/index.ts');
    expect(await readFile(join(project, 'src/modules/billing/billing.ts'), 'utf8')).to.include("from '@seams/kernel'");
    await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], { cwd: project });

    const help = await run(process.execPath, ['node_modules/.bin/seams', 'modules', '--help'], { cwd: project });
    expect(help.stdout).to.match(/Usage: seams modules/);
    const server = await startServerProcess({ cwd: project, dataDir: join(dir.path, 'data'), port: await freePort(), command: ['node_modules/.bin/seams', 'serve'] });
    try {
      const written = await requestJson(server.base, 'POST', '/notes', { body: { text: 'hello' } });
      expect(written.status, server.output()).to.equal(201);
      expect((await requestJson(server.base, 'POST', '/notes', { body: { text: '' } })).status).to.equal(400);
      // The projection and the process catch up on their own: wait for both.
      let listed = await requestJson(server.base, 'GET', '/notes');
      while (listed.body.counted < 1 || listed.body.notes.length < 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        listed = await requestJson(server.base, 'GET', '/notes');
      }
      expect(listed.status).to.equal(200);
      expect(listed.body).to.deep.equal({ notes: ['hello'], counted: 1 });
      // The generated module serves too (open to anyone: this application issues no credentials).
      const billing = await requestJson(server.base, 'POST', '/billing', { body: { name: 'First' } });
      expect(billing.status, server.output()).to.equal(201);
      const read = await requestJson(server.base, 'GET', `/billing/${billing.body.billingId}`);
      expect(read.body).to.deep.equal({ billingId: billing.body.billingId, name: 'First' });
    } finally {
      await server.stop();
    }
  });
});
