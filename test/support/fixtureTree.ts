import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tempDir } from './tempDir.js';

/** The least a tree needs to be linted: a kernel API, a composition root and a tsconfig. */
const BASE: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, verbatimModuleSyntax: true, noEmit: true },
    include: ['src', 'migrations'],
  }),
  'src/kernel/index.ts': "export { defineModule } from './modules/defineModule.js';\n",
  'src/kernel/modules/defineModule.ts': 'export const defineModule = <T>(spec: T) => spec;\n',
  'src/application.ts': 'export const modules = [];\n',
};

/**
 * A throwaway project tree with the given files (path → text) on top of BASE, so that each test
 * plants exactly the violation it is about.
 */
export async function fixtureTree(files: Record<string, string>): Promise<{ root: string; cleanup(): Promise<void> }> {
  const dir = await tempDir('seams-lint-');
  for (const [path, text] of Object.entries({ ...BASE, ...files })) {
    await mkdir(dirname(join(dir.path, path)), { recursive: true });
    await writeFile(join(dir.path, path), text);
  }
  return { root: dir.path, cleanup: dir.cleanup };
}

/** Joins lines so a test can see (and count) which line a violation sits on. */
export const lines = (...text: string[]) => `${text.join('\n')}\n`;
