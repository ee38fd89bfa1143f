import { expect } from 'chai';
import { defineModule, type ModuleDefinition } from '../../../src/kernel/host.js';
import { formatFinding } from '../../../tools/lint-boundaries/finding.js';
import { lintBoundaries } from '../../../tools/lint-boundaries/lint.js';
import { fixtureTree, lines } from '../../support/fixtureTree.js';

/** Lints a tree planted with `files`, with the application's modules, for the anatomy rule only. */
async function lint(modules: ModuleDefinition[], files: Record<string, string>): Promise<string[]> {
  const tree = await fixtureTree(files);
  try {
    return (await lintBoundaries({ root: tree.root, modules, checks: ['anatomy'] })).map(formatFinding);
  } finally {
    await tree.cleanup();
  }
}

const billing = defineModule({ name: 'billing' });
const complete = {
  'src/modules/billing/contracts.ts': lines('export const publicEvents = [];'),
  'src/modules/billing/events.ts': lines('export const events = [];'),
  'src/modules/billing/routes.ts': lines('export const routes = [];'),
  'src/modules/billing/index.ts': lines("export default { name: 'billing' };"),
  'src/modules/billing/invoice.ts': lines('export const invoice = {};'),
  'src/modules/billing/processes/dunning.ts': lines('export const dunning = {};'),
  'src/modules/billing/views/invoices.ts': lines('export const invoices = {};'),
  'src/modules/billing/replicas/customers.ts': lines('export const customers = {};'),
};

describe('lint:boundaries — the anatomy of a module', function () {
  this.timeout(20_000);

  it('passes a module with the required files and the known folders', async () => {
    expect(await lint([billing], complete)).to.deep.equal([]);
  });

  it('flags a module folder missing a required file, naming what belongs in it', async () => {
    const { ['src/modules/billing/events.ts']: _events, ...rest } = complete;
    expect(await lint([billing], rest)).to.deep.equal([
      'src/modules/billing/events.ts:1 module-anatomy — module billing has no events.ts: every module has one, with every event of the module, public and private, listed once (private ones defined there)',
    ]);
  });

  it('flags a folder that is not one of the anatomy’s, and a listed module without a folder', async () => {
    const findings = await lint([billing, defineModule({ name: 'ghost' })], { ...complete, 'src/modules/billing/helpers/util.ts': lines('export const x = 1;') });
    expect(findings).to.have.length(2);
    expect(findings[0]).to.match(/^src\/modules\/billing\/helpers\/:1 module-anatomy — module billing has a folder helpers\/; a module's folders are processes\/ \(/);
    expect(findings[1]).to.equal('src/modules/ghost/:1 module-anatomy — module ghost is listed in src/application.ts but has no folder src/modules/ghost/');
  });
});
