/**
 * README.md's "Your first module", run as printed: every command of the code block after the
 * `<!-- first-module -->` marker, one after another, in a copy of the repository (comments
 * skipped). They end in the type check, the boundaries lint and the generated specs, so the
 * walk-through passing means a module, a replica and a process generated with no hand edit pass.
 * The generators' other shapes (a kebab-case module, a projection, a process on the module's own
 * event) are written into the same copy first, so that one type check covers both (each costs
 * 10-20 s here); their refusals and dry runs are test/kernel/cli/newCommand.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoCopy, type RepoCopy } from '../support/repoCopy.js';
import { REPO_ROOT } from '../support/serverProcess.js';

/** The commands of the first ```sh block after the marker: one per line, without comments. */
function markedCommands(readme: string, marker: string): string[] {
  const at = readme.indexOf(`<!-- ${marker} -->`);
  if (at < 0) throw new Error(`README.md has no <!-- ${marker} --> block`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error(`no \`\`\`sh block after <!-- ${marker} -->`);
  return block[1]!.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

describe('README: your first module, run as printed (beside a module generated part by part)', function () {
  this.timeout(300_000);
  let copy: RepoCopy;
  before(async () => (copy = await repoCopy()));
  after(async () => copy && (await copy.cleanup()));

  it('from `seams new module billing` to a replica of customers and a process that reacts to orders: type check, lint and specs pass', async () => {
    // A kebab-case module, a projection of it and a process on its own event, wired where they belong.
    for (const command of ['new module order-notes', 'new projection order-notes/noteLog', 'new process order-notes/followUp --on order-notes.OrderNoteCreated']) {
      const result = await copy.run(`node --import tsx src/cli.ts ${command}`);
      expect(result.code, `${command}: ${result.stderr}`).to.equal(0);
    }
    expect(readFileSync(join(copy.root, 'src/application.ts'), 'utf8'))
      .to.include("import { orderNotes } from './modules/order-notes/index.js';")
      .and.match(/modules: ModuleDefinition\[\] = \[[^\]]*, orderNotes\]/);
    expect(existsSync(join(copy.root, 'migrations/order-notes'))).to.equal(true);
    expect(readFileSync(join(copy.root, 'src/modules/order-notes/index.ts'), 'utf8')).to.match(/projections: \[orderNoteViews, noteLog\]/).and.match(/processes: \[followUp\]/);

    const commands = markedCommands(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'), 'first-module');
    expect(commands[0]).to.equal('npm run seams -- new module billing');
    expect(commands.some((c) => /new replica billing\/\w+ --from customers\./.test(c)), 'a replica of customers').to.equal(true);
    expect(commands.some((c) => /new process billing\/\w+ --on /.test(c)), 'a process').to.equal(true);
    let output = '';
    for (const command of commands) {
      const result = await copy.run(command);
      output += `$ ${command}\n${result.stdout}${result.stderr}`;
      expect(result.code, `${command} failed:\n${output}`).to.equal(0);
    }
    expect(output).to.match(/10 module\(s\), no violations/).and.match(/\d+ passing/).and.not.match(/failing/);
    // The parts written before the walk-through: their specs, and the layout test over every module.
    const specs = await copy.run('npx mocha test/modules/order-notes test/layout.test.ts --recursive --reporter dot');
    expect(specs.code, `${specs.stdout}\n${specs.stderr}`).to.equal(0);
    expect(specs.stdout).to.match(/\d+ passing/).and.not.match(/failing|pending/);
    expect(readFileSync(join(copy.root, 'src/modules/billing/index.ts'), 'utf8')).to.match(/projections: \[billingViews, customers\]/).and.match(/processes: \[invoicing\]/);
  });
});
