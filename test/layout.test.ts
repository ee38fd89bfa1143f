import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

/**
 * Tests mirror what they test (docs/DESIGN.md, "Tests"): `test/<path>/<name>[.<aspect>].test.ts`
 * tests `src/<path>/<name>.ts` (or `tools/…` for test/tools, `bench/…` for test/bench), or the whole folder `src/<path>`
 * when <name> is that folder's name. Whole-application tests live in test/e2e/, helpers in
 * test/support/ (which holds no tests).
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** What a test file tests, or why it is out of place (undefined when it mirrors its subject). */
function misplaced(test: string): string | undefined {
  const rel = relative(join(ROOT, 'test'), test);
  const [top] = rel.split('/');
  if (top === 'support') return rel.endsWith('.test.ts') ? 'test/support/ holds helpers, not tests' : undefined;
  if (!rel.endsWith('.test.ts') || top === 'e2e' || rel === 'layout.test.ts') return undefined;
  const name = basename(rel).replace(/\.test\.ts$/, '').split('.')[0]!;
  const source = join(ROOT, top === 'tools' || top === 'bench' ? '' : 'src', dirname(rel));
  if (existsSync(join(source, `${name}.ts`))) return undefined;
  if (basename(source) === name && existsSync(source)) return undefined;
  return `nothing at ${relative(ROOT, join(source, `${name}.ts`))} (nor a folder ${relative(ROOT, source)} named ${name}) for it to test`;
}

describe('the test layout mirrors src/ and tools/', () => {
  it('every test file is named after the file or folder it tests', () => {
    const wrong = files(join(ROOT, 'test'))
      .map((test) => [relative(ROOT, test), misplaced(test)] as const)
      .filter(([, why]) => why !== undefined)
      .map(([test, why]) => `${test}: ${why}`);
    expect(wrong).to.deep.equal([]);
  });
});
