import type { ModuleDefinition } from '../../src/kernel/host.js';
import { lintAnatomy } from './anatomy.js';
import { byLocation, type Finding } from './finding.js';
import { lintImports } from './imports.js';
import { lintOwnership, loadPublishedContracts, type PublishedContracts } from './ownership.js';
import { lintStorage } from './storage.js';

export interface LintOptions {
  /** The tree to check: it holds src/ (and maybe migrations/ and tsconfig.json). */
  root: string;
  /** The application's modules, as src/application.ts lists them. */
  modules: readonly ModuleDefinition[];
  /** What each module's contracts.ts exports; loaded from <root>/src/modules/<name>/contracts.ts when left out. */
  published?: PublishedContracts;
  /** The dependency-cruiser rules; the project's .dependency-cruiser.cjs by default. */
  configFile?: string;
  /** Which families of rules to check (default all): a test of one family plants only its own files. */
  checks?: readonly Check[];
}

export type Check = 'imports' | 'anatomy' | 'ownership' | 'storage';
const ALL: readonly Check[] = ['imports', 'anatomy', 'ownership', 'storage'];

/** Every boundary rule at once: imports (dependency-cruiser), module anatomy, ownership (the kernel's rules) and storage. */
export async function lintBoundaries(options: LintOptions): Promise<Finding[]> {
  const { root, modules, checks = ALL } = options;
  const findings: Finding[] = [];
  if (checks.includes('imports')) findings.push(...(await lintImports({ root, ...(options.configFile ? { configFile: options.configFile } : {}) })));
  if (checks.includes('anatomy')) findings.push(...lintAnatomy(root, modules));
  if (checks.includes('ownership')) findings.push(...lintOwnership(root, modules, options.published ?? (await loadPublishedContracts(root, modules))));
  if (checks.includes('storage')) findings.push(...lintStorage(root, modules));
  return findings.sort(byLocation);
}
