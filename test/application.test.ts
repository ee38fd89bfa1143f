import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { modules } from '../src/application.js';

/** The kernel's own migration sets; every other folder of migrations/ is a module's. */
const KERNEL_SETS = ['cluster', 'event-store', 'event-store-postgres', 'module-kernel'];

describe('the application', () => {
  it("names every module's migrations folder in its definition (a folder it does not name is never run)", () => {
    const root = fileURLToPath(new URL('../migrations/', import.meta.url));
    const folders = readdirSync(root).filter((name) => !KERNEL_SETS.includes(name));
    const named = Object.fromEntries(modules.filter((m) => m.migrations).map((m) => [m.name, fileURLToPath(new URL(String(m.migrations)))]));
    expect(Object.keys(named).sort()).to.deep.equal(folders.sort());
    for (const folder of folders) expect(named[folder]).to.equal(`${root}${folder}/`);
  });
});
