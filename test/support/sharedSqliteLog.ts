import { join } from 'node:path';
import { SqliteEventStore, type SqliteEventStoreOptions } from '../../src/kernel/host.js';
import { tempDir } from './tempDir.js';

/**
 * Processes sharing one SQLite log, for a suite: `open` makes a store on the one file (in a
 * temporary directory of the suite's); every store is closed and the directory removed after it.
 */
export function sharedSqliteLog(prefix: string) {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const stores: SqliteEventStore[] = [];
  before(async () => (dir = await tempDir(prefix)));
  after(async () => {
    for (const store of stores.splice(0)) await store.close();
    await dir.cleanup();
  });
  return {
    get filename(): string {
      return join(dir.path, 'events.sqlite');
    },
    async open(options: Omit<SqliteEventStoreOptions, 'filename'>): Promise<SqliteEventStore> {
      const store = await SqliteEventStore.open({ filename: this.filename, ...options });
      stores.push(store);
      return store;
    },
  };
}
