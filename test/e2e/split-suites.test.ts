/**
 * The modules' HTTP suites against the application split over stores (the harness switch
 * SEAMS_TEST_SPLIT, test/support/splitHarness.ts), each in a mocha of its own. By default a
 * representative part that fits the test budget: catalog's suite with catalog extracted
 * (replicas fed across stores both ways, a query behind the breaker, read-your-writes by token
 * and through the gateway), its bad-input tables left to the single application's run; commands
 * across deployables are split-commands.test.ts's and split.test.ts's. SEAMS_SPLIT_SUITES=all
 * runs every module's whole suite with each extraction (about three more minutes).
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import { describeBroker } from '../support/broker.js';
import { REPO_ROOT } from '../support/serverProcess.js';

const all = process.env.SEAMS_SPLIT_SUITES === 'all';
const suites = readdirSync(`${REPO_ROOT}/test/modules`).map((m) => `test/modules/${m}/routes.test.ts`);
const runs: { extract: string; files: string[]; grep?: string }[] = all
  ? [
      { extract: 'communications', files: suites },
      { extract: 'catalog', files: suites },
    ]
  : [
      { extract: 'catalog', files: ['test/modules/catalog/routes.test.ts'], grep: 'bad input' },
    ];

function mocha(extract: string, files: string[], grep?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const args = ['node_modules/mocha/bin/mocha.js', ...files, '--reporter', 'dot', ...(grep ? ['--grep', grep, '--invert'] : [])];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, SEAMS_TEST_SPLIT: extract }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

await describeBroker(`the modules' HTTP suites, split over stores (${all ? 'all of them' : 'a representative part; SEAMS_SPLIT_SUITES=all for all'})`, () => {
  for (const { extract, files, grep } of runs) {
    it(`with ${extract} extracted: ${files.length === suites.length ? 'every module' : files.map((f) => f.split('/')[2]).join(', ')}${grep ? ' (without the bad-input tables)' : ''}`, async function () {
      this.timeout(all ? 900_000 : 180_000);
      const { code, output } = await mocha(extract, files, grep);
      const summary = output.match(/\d+ passing[^\n]*/)?.[0];
      expect(code, output).to.equal(0);
      expect(summary, output).to.match(/[1-9]\d* passing/);
      expect(output, output).not.to.match(/\d+ failing/);
    });
  }
});
