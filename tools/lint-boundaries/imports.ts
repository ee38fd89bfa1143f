import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type IConfiguration, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import type { Finding } from './finding.js';
import { parseFile } from './sourceText.js';

/** The project's import rules: the same file `npx depcruise src --config .dependency-cruiser.cjs` reads. */
export const DEFAULT_CONFIG = fileURLToPath(new URL('../../.dependency-cruiser.cjs', import.meta.url));

const moduleOf = (path: string) => /^src\/modules\/([^/]+)/.exec(path)?.[1];

/** What to do, per rule; a rule added to the config later falls back to its own comment. */
const ADVICE: Record<string, (v: { from: string; to: string; spec: string }) => string> = {
  'modules-import-only-contracts': ({ from, to, spec }) =>
    `module ${moduleOf(from)} imports '${spec}' (${to}), a private file of module ${moduleOf(to)}; import only ${moduleOf(to)}'s contracts.ts, and ask ${moduleOf(to)} to publish what you need there`,
  'outside-imports-only-contracts': ({ from, to, spec }) =>
    `${from} imports '${spec}' (${to}), a private file of module ${moduleOf(to)}; outside a module use only its contracts.ts (src/application.ts also wires its index.ts)`,
  'index-only-from-application': ({ to, spec }) =>
    `imports '${spec}', the definition of module ${moduleOf(to)} (${to}); only src/application.ts wires modules: import ${moduleOf(to)}'s contracts.ts instead`,
  'kernel-only-through-index': ({ from, to, spec }) =>
    `module ${moduleOf(from)} imports '${spec}' (${to}), behind the kernel's public API; import it from src/kernel/index.ts (export it there if modules need it)`,
  'modules-import-no-composition-root': ({ from, to, spec }) =>
    `module ${moduleOf(from)} imports '${spec}' (${to}), the application around the modules; a module knows only the kernel's API and other modules' contracts: take what you need from ModuleContext`,
  'host-only-from-composition-root': ({ from, spec }) =>
    `${from} imports '${spec}', the kernel's host face (stores, runtime, server, CLI); a module needs only src/kernel/index.ts — only src/application.ts, src/main.ts and src/cli.ts run modules`,
  'kernel-layers': ({ from, to, spec }) =>
    `${from} imports '${spec}' (${to}), a layer above its own (.dependency-cruiser.cjs, LAYERS); move the shared part down (a type into src/kernel/types/) or invert the call`,
  'kernel-imports-no-module': ({ to, spec }) =>
    `the kernel imports '${spec}' (${to}); the kernel knows no module nor the composition root: let the composition root pass what the kernel needs in (e.g. ModuleDefinition values)`,
};

export interface ImportLintOptions {
  root: string;
  configFile?: string;
  /** Defaults to <root>/tsconfig.json when present. */
  tsConfigFile?: string;
}

/** Cruises <root>/src with the project's rules and turns each violation into file:line findings. */
export async function lintImports(options: ImportLintOptions): Promise<Finding[]> {
  const { root } = options;
  if (!existsSync(join(root, 'src'))) return [];
  const config = createRequire(import.meta.url)(options.configFile ?? DEFAULT_CONFIG) as IConfiguration;
  const tsConfigFile = options.tsConfigFile ?? join(root, 'tsconfig.json');
  const hasTsConfig = existsSync(tsConfigFile);
  const { output } = await cruise(
    ['src'],
    {
      ...config.options,
      baseDir: root,
      validate: true,
      ruleSet: { forbidden: config.forbidden ?? [] },
      ...(hasTsConfig ? { tsConfig: { fileName: tsConfigFile } } : { tsConfig: undefined }),
    },
    {},
    hasTsConfig ? { tsConfig: extractTSConfig(tsConfigFile) } : {},
  );
  const result = output as ICruiseResult;
  const comments = new Map((config.forbidden ?? []).map((r) => [r.name, r.comment ?? '']));
  const cycles = new Set<string>();
  const findings: Finding[] = [];
  for (const v of result.summary.violations) {
    if (v.type === 'cycle' && v.cycle) {
      const finding = v.rule.name === 'no-import-cycles' ? fileCycleFinding(root, v) : cycleFinding(root, result, v);
      if (finding && !cycles.has(finding.key)) findings.push(finding.finding);
      if (finding) cycles.add(finding.key);
      continue;
    }
    const spec = specifierOf(result, v.from, v.to) ?? v.to;
    const advice = ADVICE[v.rule.name]?.({ from: v.from, to: v.to, spec }) ?? `imports '${spec}' (${v.to}): ${comments.get(v.rule.name) ?? v.rule.name}`;
    findings.push({ file: v.from, line: lineOf(root, v.from, spec), rule: v.rule.name, advice });
  }
  return findings;
}

const specifierOf = (result: ICruiseResult, from: string, to: string) =>
  result.modules.find((m) => m.source === from)?.dependencies.find((d) => d.resolved === to)?.module;

const lineOf = (root: string, file: string, spec: string) => parseFile(root, join(root, file)).imports.get(spec) ?? 1;

/**
 * A folder-level cycle names folders, not files: point at the first import of each step so the
 * reader sees which files tie the modules together. Each cycle is reported once, whichever
 * module it was found from.
 */
function cycleFinding(root: string, result: ICruiseResult, v: IViolation): { key: string; finding: Finding } | undefined {
  const folders = [v.from, ...v.cycle!.map((c) => c.name)];
  const names = folders.map((f) => f.replace(/^src\/modules\//, ''));
  const ring = names.slice(0, -1);
  const start = ring.indexOf([...ring].sort()[0]!);
  const key = [...ring.slice(start), ...ring.slice(0, start)].join('>');
  const steps = folders.slice(0, -1).map((from, i) => firstImport(root, result, from, folders[i + 1]!));
  const first = steps.find((s) => s !== undefined);
  if (!first) return undefined;
  const where = steps.map((s, i) => (s ? `${names[i]} → ${names[i + 1]} at ${s.file}:${s.line}` : `${names[i]} → ${names[i + 1]}`)).join(', ');
  return {
    key,
    finding: {
      file: first.file,
      line: first.line,
      rule: v.rule.name,
      advice: `modules ${names.join(' → ')} depend on each other in a cycle (${where}); break it: let one side learn from the other's public events (keep a replica) or ask it a public query, instead of importing it back`,
    },
  };
}

/** A cycle between files: point at the first file's import of the next, and name the whole ring once. */
function fileCycleFinding(root: string, v: IViolation): { key: string; finding: Finding } {
  const files = [v.from, ...v.cycle!.map((c) => c.name)];
  const ring = files.slice(0, -1);
  const start = ring.indexOf([...ring].sort()[0]!);
  const ordered = [...ring.slice(start), ...ring.slice(0, start), ring[start]!];
  const spec = importSpecifier(root, ordered[0]!, ordered[1]!);
  return {
    key: ordered.join('>'),
    finding: {
      file: ordered[0]!,
      line: spec ? lineOf(root, ordered[0]!, spec) : 1,
      rule: v.rule.name,
      advice: `import cycle ${ordered.join(' → ')}; break it: move what both need into a file of its own that imports neither (a shared type into src/kernel/types/)`,
    },
  };
}

/** The specifier with which `from` imports `to`, as written in its source. */
function importSpecifier(root: string, from: string, to: string): string | undefined {
  const imports = parseFile(root, join(root, from)).imports;
  const target = to.replace(/\.ts$/, '');
  return [...imports.keys()].find((spec) => join(from, '..', spec).replace(/\.(js|ts)$/, '') === target);
}

function firstImport(root: string, result: ICruiseResult, fromFolder: string, toFolder: string) {
  for (const m of [...result.modules].sort((a, b) => a.source.localeCompare(b.source))) {
    if (!m.source.startsWith(`${fromFolder}/`)) continue;
    const dep = m.dependencies.find((d) => d.resolved.startsWith(`${toFolder}/`));
    if (dep) return { file: m.source, line: lineOf(root, m.source, dep.module) };
  }
  return undefined;
}
