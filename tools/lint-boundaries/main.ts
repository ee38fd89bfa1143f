/**
 * `npm run lint:boundaries [-- --root <dir>]`: checks the module boundaries of the tree at <dir>
 * (this repository by default), prints each violation as `file:line rule — what to do` and
 * exits 1 if there is any.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { assembleModules, type ModuleDefinition } from '../../src/kernel/host.js';
import { formatFinding } from './finding.js';
import { lintBoundaries } from './lint.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function run(argv: readonly string[], out: (line: string) => void = console.log): Promise<number> {
  const at = argv.indexOf('--root');
  const root = resolve(at >= 0 && argv[at + 1] ? argv[at + 1]! : REPO_ROOT);
  const application = resolve(root, 'src', 'application.ts');
  if (!existsSync(application)) {
    out(`src/application.ts:1 composition-root — ${application} is missing; it lists the application's modules (export const modules: ModuleDefinition[])`);
    return 1;
  }
  // The composition root is the one place that knows every module; the lint reads the list from it.
  const { modules } = (await import(pathToFileURL(application).href)) as { modules: readonly ModuleDefinition[] };
  const started = Date.now();
  const findings = await lintBoundaries({ root, modules: assembleModules(modules) });
  for (const finding of findings) out(formatFinding(finding));
  out(findings.length === 0
    ? `lint:boundaries: ${modules.length} module(s), no violations (${Date.now() - started} ms)`
    : `lint:boundaries: ${findings.length} violation(s)`);
  return findings.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await run(process.argv.slice(2));
}
