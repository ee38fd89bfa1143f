// Builds the package: a clean dist/ from tsc (JavaScript and declarations), then the kernel's
// files that are not TypeScript (the pages and the operator's console, served as they are).
// Run by `npm pack` (prepack) and `npm run build:kernel`.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const kernel = join(here, '../../src/kernel');
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });

/** Copies every file under src/kernel that is not TypeScript to the same place under dist/src/kernel. */
function copyAssets(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (!name.endsWith('.ts')) cpSync(path, join(dist, 'src/kernel', path.slice(kernel.length)));
  }
}
copyAssets(kernel);

// Migrations need no declarations, and knex would take a .d.ts for a migration of its own.
for (const folder of readdirSync(join(dist, 'migrations'))) {
  for (const name of readdirSync(join(dist, 'migrations', folder))) {
    if (/\.d\.ts(\.map)?$/.test(name)) rmSync(join(dist, 'migrations', folder, name));
  }
}
