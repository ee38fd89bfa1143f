import { expect } from 'chai';
import { openModuleDatabase } from '../../../src/kernel/host.js';
import { tempDir } from '../../support/tempDir.js';

describe('module databases on SQLite: how durable a commit is', () => {
  it('commits with synchronous=NORMAL (1): re-derived from the log, they need not wait for the disk (the log keeps FULL)', async () => {
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
