import { expect } from 'chai';
import { formatFinding } from '../../../tools/lint-boundaries/finding.js';
import { lintBoundaries } from '../../../tools/lint-boundaries/lint.js';
import { fixtureTree, lines } from '../../support/fixtureTree.js';

/** Lints a tree planted with `files` and returns its findings as the CLI prints them. */
async function lint(files: Record<string, string>): Promise<string[]> {
  const tree = await fixtureTree(files);
  try {
    return (await lintBoundaries({ root: tree.root, modules: [] })).map(formatFinding);
  } finally {
    await tree.cleanup();
  }
}

const clean = {
  'src/modules/users/contracts.ts': lines('export type UserId = string;', 'export const USERS = 1;'),
  'src/modules/users/index.ts': lines("import { defineModule } from '../../kernel/index.js';", "export default defineModule({ name: 'users' });"),
  'src/modules/users/store.ts': lines('export const rows: string[] = [];'),
  'src/modules/catalog/index.ts': lines(
    "import { defineModule } from '../../kernel/index.js';",
    "import type { UserId } from '../users/contracts.js';",
    "import { USERS } from '../users/contracts.js';",
    "import { helper } from './private/helper.js';",
    "export default defineModule({ name: 'catalog', owner: '' as UserId, n: USERS + helper });",
  ),
  'src/modules/catalog/private/helper.ts': lines("export { USERS as helper } from '../../users/contracts.js';"),
  'src/application.ts': lines("import users from './modules/users/index.js';", "import catalog from './modules/catalog/index.js';", 'export const modules = [users, catalog];'),
};

describe('lint:boundaries — import rules', function () {
  this.timeout(20_000);

  it('passes a tree that keeps to the rules', async () => {
    expect(await lint(clean)).to.deep.equal([]);
  });

  it("flags a module's type-only import of another module's private file, at its line", async () => {
    const findings = await lint({
      ...clean,
      'src/modules/catalog/reader.ts': lines('// reads users', "import type { rows } from '../users/store.js';", 'export type R = typeof rows;'),
    });
    expect(findings).to.deep.equal([
      "src/modules/catalog/reader.ts:2 modules-import-only-contracts — module catalog imports '../users/store.js' (src/modules/users/store.ts), a private file of module users; import only users's contracts.ts, and ask users to publish what you need there",
    ]);
  });

  it("flags a re-export of another module's private file", async () => {
    const findings = await lint({ ...clean, 'src/modules/catalog/again.ts': lines("export { rows } from '../users/store.js';") });
    expect(findings).to.have.length(1);
    expect(findings[0]).to.match(/^src\/modules\/catalog\/again\.ts:1 modules-import-only-contracts — module catalog imports '\.\.\/users\/store\.js'/);
  });

  it("flags an import of a module's index.ts from anywhere but src/application.ts", async () => {
    const findings = await lint({
      ...clean,
      'src/modules/catalog/wire.ts': lines("import users from '../users/index.js';", 'export const u = users;'),
      'src/main.ts': lines("import catalog from './modules/catalog/index.js';", 'console.log(catalog);'),
    });
    expect(findings).to.deep.equal([
      "src/main.ts:1 index-only-from-application — imports './modules/catalog/index.js', the definition of module catalog (src/modules/catalog/index.ts); only src/application.ts wires modules: import catalog's contracts.ts instead",
      "src/modules/catalog/wire.ts:1 index-only-from-application — imports '../users/index.js', the definition of module users (src/modules/users/index.ts); only src/application.ts wires modules: import users's contracts.ts instead",
    ]);
  });

  it("flags a module's private file used outside the modules", async () => {
    const findings = await lint({ ...clean, 'src/cli.ts': lines("import { rows } from './modules/users/store.js';", 'console.log(rows);') });
    expect(findings).to.deep.equal([
      "src/cli.ts:1 outside-imports-only-contracts — src/cli.ts imports './modules/users/store.js' (src/modules/users/store.ts), a private file of module users; outside a module use only its contracts.ts (src/application.ts also wires its index.ts)",
    ]);
  });

  it('flags a module reaching behind the kernel’s index.ts', async () => {
    const findings = await lint({ ...clean, 'src/modules/users/deep.ts': lines('', "import { defineModule } from '../../kernel/modules/defineModule.js';", 'export const d = defineModule;') });
    expect(findings).to.deep.equal([
      "src/modules/users/deep.ts:2 kernel-only-through-index — module users imports '../../kernel/modules/defineModule.js' (src/kernel/modules/defineModule.ts), behind the kernel's public API; import it from src/kernel/index.ts (export it there if modules need it)",
    ]);
  });

  it('flags a module importing the application around it', async () => {
    const findings = await lint({ ...clean, 'src/modules/users/all.ts': lines("import { modules } from '../../application.js';", 'export const all = modules;') });
    expect(findings).to.deep.equal([
      "src/modules/users/all.ts:1 modules-import-no-composition-root — module users imports '../../application.js' (src/application.ts), the application around the modules; a module knows only the kernel's API and other modules' contracts: take what you need from ModuleContext",
    ]);
  });

  it('flags the kernel importing a module or the composition root, type-only or not', async () => {
    const findings = await lint({
      ...clean,
      'src/kernel/knows.ts': lines("import type { UserId } from '../modules/users/contracts.js';", "import { modules } from '../application.js';", 'export const k: UserId[] = modules.map(String);'),
    });
    expect(findings).to.have.length(2);
    expect(findings[0]).to.equal(
      "src/kernel/knows.ts:1 kernel-imports-no-module — the kernel imports '../modules/users/contracts.js' (src/modules/users/contracts.ts); the kernel knows no module nor the composition root: let the composition root pass what the kernel needs in (e.g. ModuleDefinition values)",
    );
    expect(findings[1]).to.match(/^src\/kernel\/knows\.ts:2 kernel-imports-no-module — the kernel imports '\.\.\/application\.js' \(src\/application\.ts\)/);
  });

  it('flags a cycle between module folders even when no file imports itself back, once per cycle', async () => {
    const findings = await lint({
      ...clean,
      'src/modules/users/contracts.ts': lines('export type UserId = string;', 'export const USERS = 1;', "export type { Item } from './items.js';"),
      'src/modules/users/items.ts': lines("import type { ItemId } from '../catalog/contracts.js';", 'export type Item = { id: ItemId };'),
      'src/modules/catalog/contracts.ts': lines('export type ItemId = string;'),
    });
    expect(findings).to.deep.equal([
      'src/modules/catalog/index.ts:2 no-module-cycles — modules catalog → users → catalog depend on each other in a cycle (catalog → users at src/modules/catalog/index.ts:2, users → catalog at src/modules/users/items.ts:1); break it: let one side learn from the other\'s public events (keep a replica) or ask it a public query, instead of importing it back',
    ]);
  });

  it("flags a module importing the kernel's host face (src/kernel/host.ts)", async () => {
    const findings = await lint({
      ...clean,
      'src/kernel/host.ts': lines("export * from './index.js';"),
      'src/modules/users/runs.ts': lines("import { defineModule } from '../../kernel/host.js';", 'export const d = defineModule;'),
    });
    expect(findings).to.deep.equal([
      "src/modules/users/runs.ts:1 host-only-from-composition-root — src/modules/users/runs.ts imports '../../kernel/host.js', the kernel's host face (stores, runtime, server, CLI); a module needs only src/kernel/index.ts — only src/application.ts, src/main.ts and src/cli.ts run modules",
    ]);
  });

  it('flags an import cycle between files anywhere in src/, type imports included, once per cycle', async () => {
    const findings = await lint({
      ...clean,
      'src/kernel/types/a.ts': lines("import type { B } from './b.js';", 'export type A = { b?: B };'),
      'src/kernel/types/b.ts': lines('', "import type { A } from './a.js';", 'export type B = { a?: A };'),
    });
    expect(findings).to.deep.equal([
      'src/kernel/types/a.ts:1 no-import-cycles — import cycle src/kernel/types/a.ts → src/kernel/types/b.ts → src/kernel/types/a.ts; break it: move what both need into a file of its own that imports neither (a shared type into src/kernel/types/)',
    ]);
  });

  it('flags a kernel file importing a layer above its own', async () => {
    const findings = await lint({
      ...clean,
      'src/kernel/runtime/runtime.ts': lines('export const runtime = 1;'),
      'src/kernel/processes/engine.ts': lines("import { runtime } from '../runtime/runtime.js';", 'export const engine = runtime;'),
    });
    expect(findings).to.deep.equal([
      "src/kernel/processes/engine.ts:1 kernel-layers — src/kernel/processes/engine.ts imports '../runtime/runtime.js' (src/kernel/runtime/runtime.ts), a layer above its own (.dependency-cruiser.cjs, LAYERS); move the shared part down (a type into src/kernel/types/) or invert the call",
    ]);
  });
});
