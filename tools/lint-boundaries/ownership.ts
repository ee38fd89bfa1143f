import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findOwnershipViolations, type ModuleDefinition, type Violation } from '../../src/kernel/host.js';
import type { Finding } from './finding.js';
import { parseFile, sourceFiles } from './sourceText.js';

/** Module name → what its contracts.ts exports. */
export type PublishedContracts = NonNullable<Parameters<typeof findOwnershipViolations>[1]>;

/** What to do, per kernel rule (the kernel's message says what is wrong). */
const ADVICE: Record<string, string> = {
  'unique-module': 'rename one of them; a module name is the prefix of everything it owns',
  'event-visibility': 'list the event in publicEvents or in privateEvents, not both',
  'own-event-types': "a module declares only events named <its name>.<Name>; to react to another module's event, consume it in a projection",
  'one-owner-per-event': 'keep the event in the module its name starts with, and remove it from the other',
  'own-commands': "send another module's command with ctx.send instead of handling it",
  'own-queries': "ask another module's query with ctx.query instead of answering it",
  'one-owner-per-command': 'keep one handler, in the module the command is named after',
  'one-owner-per-query': 'keep one handler, in the module the query is named after',
  'one-handler-per-command': 'keep one handler',
  'one-handler-per-query': 'keep one handler',
  'one-owner-per-stream': 'declare each stream kind once',
  'consume-existing': 'consume an event its owner declares (and, across modules, publishes in its contracts.ts)',
  'consume-public-only': "consume one of the owner's public events, or ask its owner to make this one public",
  'contracts-own-only': "import it from its owner's contracts.ts instead of exporting it from this one",
  'public-events-listed': 'list it in publicEvents, or move it out of contracts.ts if it is private',
  'public-events-exported': 'export it from contracts.ts, the only file other modules may import',
  'command-has-owner': 'handle it in this module (handleCommand) or remove it from contracts.ts',
  'query-has-owner': 'answer it in this module (answerQuery) or remove it from contracts.ts',
};

/** Loads what each defined module's contracts.ts exports ([] when it has none). */
export async function loadPublishedContracts(root: string, modules: readonly ModuleDefinition[]): Promise<PublishedContracts> {
  const published = new Map<string, unknown[]>();
  for (const m of modules) {
    const file = join(root, 'src', 'modules', m.name, 'contracts.ts');
    published.set(m.name, existsSync(file) ? Object.values((await import(pathToFileURL(file).href)) as object) : []);
  }
  return published;
}

/** Runs the kernel's ownership rules and points each violation at the module's source. */
export function lintOwnership(root: string, modules: readonly ModuleDefinition[], published?: PublishedContracts): Finding[] {
  return findOwnershipViolations(modules, published).map((v) => ({ ...locate(root, v), rule: v.rule, advice: `${v.message}; ${ADVICE[v.rule] ?? 'see DESIGN.md, "Rules of ownership"'}` }));
}

/**
 * The line that names the violation's subject as a string (e.g. `defineEvent('shop.ItemAdded', …)`
 * or a projection's `name: 'items'`) in the module's folder, contracts.ts and index.ts first;
 * else where index.ts names the module; else the composition root that lists it.
 */
function locate(root: string, v: Violation): { file: string; line: number } {
  const dir = join(root, 'src', 'modules', v.module);
  const first = ['contracts.ts', 'index.ts'].map((f) => join(dir, f));
  const files = [...first.filter(existsSync), ...sourceFiles(dir).filter((f) => !first.includes(f))].map((f) => parseFile(root, f));
  const index = files.find((f) => f.file.endsWith(`/${v.module}/index.ts`));
  const searches: [string | undefined, typeof files][] = [[v.subject, files], [v.module, index ? [index] : []]];
  for (const [wanted, where] of searches) {
    for (const file of wanted === undefined ? [] : where) {
      const site = file.strings.find((s) => s.text === wanted);
      if (site) return { file: file.file, line: site.line };
    }
  }
  const fallback = index ?? files[0];
  return fallback ? { file: fallback.file, line: 1 } : { file: 'src/application.ts', line: 1 };
}
