import type { ModuleDefinition } from '../../src/kernel/index.js';
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
}

/** Every boundary rule at once: imports (dependency-cruiser), ownership (the kernel's rules) and storage. */
export async function lintBoundaries(options: LintOptions): Promise<Finding[]> {
  const { root, modules } = options;
  const published = options.published ?? (await loadPublishedContracts(root, modules));
  const imports = await lintImports({ root, ...(options.configFile ? { configFile: options.configFile } : {}) });
  return [...imports, ...lintOwnership(root, modules, published), ...lintStorage(root, modules)].sort(byLocation);
}
