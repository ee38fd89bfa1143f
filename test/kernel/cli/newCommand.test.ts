import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli } from '../../../src/kernel/host.js';
import { modules } from '../../../src/application.js';
import { repoCopy, type RepoCopy } from '../../support/repoCopy.js';

/** `seams new …` in-process against a copy of the repository: exit code and the lines it wrote. */
async function seamsNew(root: string, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['new', ...args, '--dir', root], { modules, io: { out: (s) => out.push(s.trimEnd()), err: (s) => err.push(s.trimEnd()), isTTY: false } });
  return { code, out: out.join('\n'), err };
}

/**
 * The generators write into a copy of this repository (src/, test/, migrations/, tools/ and the
 * configuration, node_modules linked). Here: refusals and dry runs. What the generators write must
 * pass the type check, the boundaries lint and its specs with no hand edit: that is checked once,
 * in one copy, by test/e2e/readme-first-module.test.ts (the README's walk-through and a kebab-case
 * module with a projection and a process on its own event), as one type check costs 10-20 s.
 */
describe('seams new', function () {
  this.timeout(300_000);
  let copy: RepoCopy;
  before(async () => (copy = await repoCopy()));
  after(async () => copy && (await copy.cleanup()));

  it('refuses a name that clashes or is not a module name, with one line and exit code 2, writing nothing', async () => {
    const application = readFileSync(join(copy.root, 'src/application.ts'), 'utf8');
    for (const [args, why] of [
      [['module', 'jobs'], /a module named jobs exists already/],
      [['module', 'Billing'], /"Billing" is not a module name/],
      [['module', 'bill_ing'], /not a module name/],
      [['module', '9lives'], /not a module name/],
      [['module', 'new'], /"new" is reserved \(a JavaScript word\)/],
      [['module', 'admin'], /"admin" is reserved \(a path the kernel serves\)/],
      [['module', 'identity'], /exists already/],
      [['projection', 'nowhere/log'], /no module nowhere/],
      [['projection', 'jobs'], /is not <module>\/<name>/],
      [['projection', 'jobs/Bad-name'], /not a part name/],
      [['projection', 'jobs/jobHistory'], /jobs\/index.ts has a jobHistory already/],
      [['process', 'jobs/audit', '--on', 'jobs.JobFailed'], /processes is not a literal list; add audit to it by hand/],
      [['process', 'orders/audit', '--on', 'orders.NoSuchEvent'], /no event orders.NoSuchEvent/],
      [['process', 'customers/audit', '--on', 'orders.OrderPlaced'], /orders.OrderPlaced is private to orders/],
      [['process', 'customers/audit', '--on', 'jobs.JobFailed', '--key', 'nothing'], /has no required field nothing/],
      [['replica', 'customers/copies', '--from', 'customers.CustomerRegistered'], /belongs to customers itself/],
      [['process', 'customers/audit'], /required option '--on <event>'/],
      [['module', 'billing', '--access', 'everyone'], /--access is member or anyone/],
    ] as const) {
      const { code, err } = await seamsNew(copy.root, [...args]);
      expect(code, args.join(' ')).to.equal(2);
      expect(err, args.join(' ')).to.have.length(1);
      expect(err[0], args.join(' ')).to.match(why);
    }
    expect(readFileSync(join(copy.root, 'src/application.ts'), 'utf8')).to.equal(application);
    expect(existsSync(join(copy.root, 'src/modules/customers/processes'))).to.equal(false);
  });

  it('--dry-run prints the files it would write and writes none', async () => {
    const { code, out } = await seamsNew(copy.root, ['module', 'billing', '--dry-run']);
    expect(code).to.equal(0);
    for (const file of ['contracts.ts', 'events.ts', 'billing.ts', 'views/billingViews.ts', 'routes.ts', 'index.ts']) expect(out).to.include(`create src/modules/billing/${file}`);
    expect(out).to.include('create migrations/billing/.gitkeep').and.include('create test/modules/billing/billing.test.ts').and.include('change src/application.ts');
    expect(existsSync(join(copy.root, 'src/modules/billing'))).to.equal(false);
    const part = await seamsNew(copy.root, ['process', 'orders/audit', '--on', 'customers.CustomerDeleted', '--dry-run']);
    expect(part.out).to.include('create src/modules/orders/processes/audit.ts').and.include('create test/modules/orders/processes/audit.test.ts').and.include('change src/modules/orders/index.ts');
    expect(existsSync(join(copy.root, 'src/modules/orders/processes/audit.ts'))).to.equal(false);
  });
});
