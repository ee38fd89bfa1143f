import { join } from 'node:path';
import { SqliteEventStore } from '../../../../src/kernel/host.js';
import { tempDir } from '../../../support/tempDir.js';
import { eventStoreContract } from '../../../support/eventStoreContract.js';

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
