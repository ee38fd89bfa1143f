import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModuleDefinition } from '../../src/kernel/host.js';
import type { Finding } from './finding.js';

/**
 * One anatomy for every module (docs/DESIGN.md, "Anatomy of a module"): knowing one module is
 * knowing all. These files every module has; the folders it may have hold one file per process,
 * read model, or copy of another module's data.
 */
export const REQUIRED_FILES: Record<string, string> = {
  'contracts.ts': 'its public face: the public events, commands and queries other modules may import',
  'events.ts': 'every event of the module, public and private, listed once (private ones defined there)',
  'routes.ts': 'its HTTP routes (`export const routes = [...]`, empty when it has none)',
  'index.ts': 'its definition (defineModule), wired by src/application.ts',
};
export const FOLDERS: Record<string, string> = {
  processes: 'one file per process manager',
  views: "one file per read model of the module's own events",
  replicas: "one file per copy of another module's data",
};

/** The anatomy of each module the application lists: the required files, and no other folders. */
export function lintAnatomy(root: string, modules: readonly ModuleDefinition[]): Finding[] {
  const findings: Finding[] = [];
  for (const { name } of modules) {
    const dir = join(root, 'src', 'modules', name);
    const folder = `src/modules/${name}/`;
    if (!existsSync(dir)) {
      findings.push({ file: folder, line: 1, rule: 'module-anatomy', advice: `module ${name} is listed in src/application.ts but has no folder ${folder}` });
      continue;
    }
    for (const [file, what] of Object.entries(REQUIRED_FILES)) {
      if (!existsSync(join(dir, file))) findings.push({ file: `${folder}${file}`, line: 1, rule: 'module-anatomy', advice: `module ${name} has no ${file}: every module has one, with ${what}` });
    }
    for (const entry of readdirSync(dir).sort()) {
      if (!statSync(join(dir, entry)).isDirectory() || entry in FOLDERS) continue;
      const kinds = Object.entries(FOLDERS).map(([f, what]) => `${f}/ (${what})`).join(', ');
      findings.push({ file: `${folder}${entry}/`, line: 1, rule: 'module-anatomy', advice: `module ${name} has a folder ${entry}/; a module's folders are ${kinds}: put the file at the module's top level or in one of them` });
    }
  }
  return findings;
}
