import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { openModuleDatabase } from '../../../src/kernel/host.js';
import { tempDir } from '../../support/tempDir.js';

const migration = `export async function up(knex) { await knex.schema.createTable('notes', (t) => { t.string('id').primary(); }); }
export async function down(knex) { await knex.schema.dropTable('notes'); }
`;

/**
 * A module's migrations are its application's, wherever the kernel is installed: the folder its
 * definition names, run after the kernel's own tables.
 */
describe('module databases', function () {
  this.timeout(20_000);

  it("run the migrations of the folder the module's definition names (a URL or a path), after the kernel's", async () => {
    const dir = await tempDir('seams-moddb-');
    try {
      const folder = join(dir.path, 'app', 'migrations', 'notes');
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, '20260101000000_notes.js'), migration);
      for (const [name, migrations] of [['by-url', pathToFileURL(`${folder}/`)], ['by-path', folder]] as const) {
        const applied: string[] = [];
        const db = await openModuleDatabase({ name, migrations }, { kind: 'sqlite', dataDir: join(dir.path, 'data') }, (a) => applied.push(...a));
        try {
          expect(applied, name).to.include('20260101000000_notes.js');
          expect(await db.schema.hasTable('notes'), name).to.equal(true);
          expect(await db.schema.hasTable('projections'), name).to.equal(true);
        } finally {
          await db.destroy();
        }
      }
    } finally {
      await dir.cleanup();
    }
  });

  it('of a module without migrations has the kernel tables only', async () => {
    const dir = await tempDir('seams-moddb-');
    try {
      const db = await openModuleDatabase('plain', { kind: 'sqlite', dataDir: dir.path });
      try {
        expect(await db.schema.hasTable('projections')).to.equal(true);
        expect(await db.schema.hasTable('notes')).to.equal(false);
      } finally {
        await db.destroy();
      }
    } finally {
      await dir.cleanup();
    }
  });

  it('commit with synchronous=NORMAL (1) on SQLite: re-derived from the log, they need not wait for the disk (the log keeps FULL)', async () => {
    const dir = await tempDir('seams-moddb-');
    const db = await openModuleDatabase('shop', { kind: 'sqlite', dataDir: dir.path });
    try {
      expect(((await db.raw('PRAGMA synchronous')) as { synchronous: number }[])[0]!.synchronous).to.equal(1);
    } finally {
      await db.destroy();
      await dir.cleanup();
    }
  });
});
