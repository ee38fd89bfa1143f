import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { runApplicationCli } from '../../../src/kernel/cli/applicationCli.js';
import { tempDir } from '../../support/tempDir.js';

/** The installed kernel's `seams`: the application's modules come from the file its package.json names. */
describe("the installed kernel's seams bin", () => {
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (s: string) => out.push(s.trimEnd()), err: (s: string) => err.push(s.trimEnd()), isTTY: false } };
  };

  it('runs the CLI over the modules of the file named by "seams.app" in package.json', async () => {
    const dir = await tempDir('seams-appcli-');
    try {
      const kernel = new URL('../../../src/kernel/index.ts', import.meta.url).href;
      await writeFile(join(dir.path, 'app.mjs'), `import { defineModule } from '${kernel}';\nexport const modules = [defineModule({ name: 'notes' })];\n`);
      await writeFile(join(dir.path, 'package.json'), JSON.stringify({ seams: { app: './app.mjs' } }));
      const c = capture();
      expect(await runApplicationCli(['modules', '--format', 'json'], dir.path, c.io)).to.equal(0);
      expect((JSON.parse(c.out.join('\n')) as { module: string }[]).map((m) => m.module)).to.deep.equal(['notes']);
    } finally {
      await dir.cleanup();
    }
  });

  it('says in one line (exit 2) that the application is missing, except for what needs no modules', async () => {
    const dir = await tempDir('seams-appcli-');
    try {
      await writeFile(join(dir.path, 'package.json'), JSON.stringify({ seams: { app: './dist/application.js' } }));
      const missing = capture();
      expect(await runApplicationCli(['modules'], dir.path, missing.io)).to.equal(2);
      expect(missing.err).to.have.length(1);
      expect(missing.err[0]).to.match(/dist\/application\.js .* does not exist/);
      const help = capture();
      expect(await runApplicationCli(['new', 'module', '--help'], dir.path, help.io)).to.equal(0);
      expect(help.out.join('\n')).to.match(/Usage: seams new module/);
    } finally {
      await dir.cleanup();
    }
  });
});
