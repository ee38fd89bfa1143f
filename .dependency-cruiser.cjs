/**
 * Module boundaries as import rules (DESIGN.md, "Rules of ownership" 1–3).
 * Run by `npm run lint:boundaries` (tools/lint-boundaries), which adds file:line and advice;
 * `npx depcruise src --config .dependency-cruiser.cjs` runs the same rules bare.
 * Paths are relative to the repository root.
 */
/**
 * The kernel's layers, lowest first: a file imports only its own layer and those below, so the
 * kernel reads bottom-up and never runs back up (types/ at the bottom imports nothing of it).
 */
const LAYERS = [
  ['types/'],
  ['errors\\.ts$', 'contracts/', 'telemetry/'],
  ['config\\.ts$', 'migrate\\.ts$', 'privateFiles\\.ts$', 'batchedReads\\.ts$', 'sqlite/', 'event-store/'],
  ['projections/'],
  ['processes/'],
  ['modules/'],
  ['http/'],
  ['cluster/'],
  ['broker/'],
  ['runtime/'],
  ['server/', 'cli/', 'testing/', 'index\\.ts$', 'host\\.ts$'],
];
const inKernel = (paths) => `^src/kernel/(${paths.join('|')})`;
const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: 'kernel-layers',
  comment: `The kernel's layers: ${layer.join(', ')} imports nothing of the layers above it (${LAYERS.slice(i + 1).flat().join(', ')}).`,
  severity: 'error',
  from: { path: inKernel(layer) },
  to: { path: inKernel(LAYERS.slice(i + 1).flat()) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-import-cycles',
      comment: 'No import cycle anywhere in src/, type imports included: every file can be read after what it imports.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'host-only-from-composition-root',
      comment: "src/kernel/host.ts (stores, runtime, server, CLI) is the host's face: only the composition root (application, main, cli) imports it, never a module.",
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(application|main|cli)\\.ts$', '^src/kernel/'] },
      to: { path: '^src/kernel/host\\.ts$' },
    },
    {
      name: 'modules-import-only-contracts',
      comment: "A module may import another module's contracts.ts and nothing else of it (rule 1).",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: {
        path: '^src/modules/[^/]+/',
        // Its own files are its business; another module's index.ts is the next rule's.
        pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/(contracts|index)\\.ts$'],
      },
    },
    {
      name: 'outside-imports-only-contracts',
      comment: "Outside the modules (main, cli, ...) a module's private files are as private as they are to other modules.",
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/modules/', '^src/kernel/'] },
      to: { path: '^src/modules/[^/]+/', pathNot: '^src/modules/[^/]+/(contracts|index)\\.ts$' },
    },
    {
      name: 'index-only-from-application',
      comment: "A module's index.ts (its definition) is wired by the composition root alone.",
      severity: 'error',
      from: { pathNot: '^src/application\\.ts$' },
      to: { path: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'kernel-only-through-index',
      comment: "Modules see the kernel's public API (src/kernel/index.ts) and nothing behind it (rule 2).",
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: '^src/kernel/', pathNot: '^src/kernel/(index|host)\\.ts$' },
    },
    {
      name: 'modules-import-no-composition-root',
      comment: 'A module knows the kernel API and contracts, not the application around it (application.ts, main.ts, cli.ts, ...).',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: '^src/(?!kernel/|modules/)' },
    },
    {
      name: 'kernel-imports-no-module',
      comment: 'The kernel knows no module, nor the composition root that lists them (rule 2).',
      severity: 'error',
      from: { path: '^src/kernel/' },
      to: { path: '^src/', pathNot: '^src/kernel/' },
    },
    {
      name: 'no-module-cycles',
      comment: 'No cycles between modules, counted per module folder, not per file (rule 3).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/modules/[^/]+$' },
      to: { path: '^src/modules/[^/]+$', circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    // `import type` and type-only re-exports are dependencies too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
