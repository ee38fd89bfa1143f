import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModuleDefinition } from '../types/module.js';
import { runCli } from './cli.js';
import { processIo, type CliIo } from './io.js';

/**
 * The installed kernel's `seams` bin (packages/kernel/bin/seams.js): the kernel's CLI over the
 * modules of the application in the current directory. The application names its composition
 * root — a file exporting `modules` — in its package.json (`"seams": { "app": "./app.js" }`) or
 * in SEAMS_APP. Without one (or before it is built), only what needs no modules works (`seams new
 * module`, `--help`).
 * This repository's own bin (bin/seams.js) runs src/cli.ts from source instead.
 */
export async function runApplicationCli(argv: readonly string[], cwd = process.cwd(), io: CliIo = processIo): Promise<number> {
  let modules: readonly ModuleDefinition[] = [];
  const app = process.env.SEAMS_APP ?? appOfPackage(cwd);
  if (app) {
    const file = resolve(cwd, app);
    // Writing a module needs no modules loaded (a generator reads the sources), so an application not built yet may still get one.
    const needsNone = argv[0] === 'new' || argv.includes('--help') || argv[0] === 'help';
    if (!existsSync(file) && needsNone) return runCli(argv, { modules, io });
    if (!existsSync(file)) {
      io.err(`seams: the application ${file} (SEAMS_APP or "seams.app" in package.json) does not exist`);
      return 2;
    }
    const loaded = (await import(pathToFileURL(file).href)) as { modules?: readonly ModuleDefinition[] };
    if (!Array.isArray(loaded.modules)) {
      io.err(`seams: the application ${file} exports no \`modules\` array`);
      return 2;
    }
    modules = loaded.modules;
  }
  return runCli(argv, { modules, io });
}

function appOfPackage(cwd: string): string | undefined {
  const file = join(cwd, 'package.json');
  if (!existsSync(file)) return undefined;
  const app = (JSON.parse(readFileSync(file, 'utf8')) as { seams?: { app?: unknown } }).seams?.app;
  return typeof app === 'string' ? app : undefined;
}
