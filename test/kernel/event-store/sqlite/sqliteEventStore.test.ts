import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { SqliteEventStore } from '../../../../src/kernel/host.js';
import { tempDir } from '../../../support/tempDir.js';
import { eventStoreContract } from '../../../support/eventStoreContract.js';
import { happened, testRegistry } from '../../../support/testEvents.js';

let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
let file = '';

eventStoreContract('sqlite', () => ({
  // One writer assigns rowids in commit order: positions are gap-free.
  densePositions: true,
  async reset() {
    await dir?.cleanup();
    dir = await tempDir('seams-store-');
    file = join(dir.path, 'events.sqlite');
  },
  open: (registry) => SqliteEventStore.open({ filename: file, registry }),
}));

after(() => dir?.cleanup());

describe('SQLite store: closing', function () {
  this.timeout(60_000);

  it('leaves the whole log in its one file (no write-ahead log beside it), so a stopped process’s file is a complete backup', async () => {
    const d = await tempDir('seams-store-close-');
    try {
      const f = join(d.path, 'events.sqlite');
      // The connections close on libuv's threads: a race between them shows only now and then, so the store closes many times.
      for (let round = 0; round < 40; round++) {
        const store = await SqliteEventStore.open({ filename: f, registry: testRegistry() });
        await store.append(`round-${round}`, [happened(round)]);
        await Promise.all([store.headPosition(), store.headPosition(), store.readStream(`round-${round}`)]);
        await store.close();
        expect(existsSync(`${f}-wal`), `a write-ahead log left after close ${round + 1}`).to.equal(false);
      }
      // The file alone, copied as a backup is, holds every event.
      const copy = join(d.path, 'copy.sqlite');
      await copyFile(f, copy);
      const restored = await SqliteEventStore.open({ filename: copy, registry: testRegistry() });
      try {
        expect((await restored.readAll({})).map((e) => (e.data as { n: number }).n)).to.deep.equal(Array.from({ length: 40 }, (_, i) => i));
      } finally {
        await restored.close();
      }
    } finally {
      await d.cleanup();
    }
  });
});
