import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { run } from '../../../tools/lint-boundaries/main.js';
import { fixtureTree, lines } from '../../support/fixtureTree.js';

const exec = promisify(execFile);

describe('npm run lint:boundaries', function () {
  this.timeout(30_000);

  it('passes the real tree, as CI runs it', async () => {
    const { stdout } = await exec('npm', ['run', '--silent', 'lint:boundaries'], { cwd: fileURLToPath(new URL('../../../', import.meta.url)) });
    expect(stdout).to.match(/^lint:boundaries: \d+ module\(s\), no violations \(\d+ ms\)\n$/);
  });

  it('prints each violation as file:line rule — advice and exits 1', async () => {
    const tree = await fixtureTree({
      'src/modules/a/contracts.ts': lines('export const A = 1;'),
      'src/modules/b/index.ts': lines("import { A } from '../a/contracts.js';", "import { secret } from '../a/secret.js';", 'export default { A, secret };'),
      'src/modules/a/secret.ts': lines("export const secret = 'data/modules/b.sqlite';"),
    });
    try {
      const out: string[] = [];
      expect(await run(['--root', tree.root], (line) => out.push(line))).to.equal(1);
      expect(out).to.deep.equal([
        "src/modules/a/secret.ts:1 foreign-database — module a names module b's database ('data/modules/b.sqlite'); a module opens only its own database (ctx.db): keep a replica of what you need, fed by its public events, or ask it a public query",
        "src/modules/b/index.ts:2 modules-import-only-contracts — module b imports '../a/secret.js' (src/modules/a/secret.ts), a private file of module a; import only a's contracts.ts, and ask a to publish what you need there",
        'lint:boundaries: 2 violation(s)',
      ]);
    } finally {
      await tree.cleanup();
    }
  });

  it('exits 1 when the tree has no composition root to read the modules from', async () => {
    const tree = await fixtureTree({});
    try {
      const { rm } = await import('node:fs/promises');
      await rm(`${tree.root}/src/application.ts`);
      const out: string[] = [];
      expect(await run(['--root', tree.root], (line) => out.push(line))).to.equal(1);
      expect(out[0]).to.match(/^src\/application\.ts:1 composition-root — .*application\.ts is missing/);
    } finally {
      await tree.cleanup();
    }
  });
});
