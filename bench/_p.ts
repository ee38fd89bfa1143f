import { join } from 'node:path';
import { SqliteEventStore } from '../src/kernel/index.js';
import { tempDir } from '../test/support/tempDir.js';
import { happened, testRegistry } from '../test/support/testEvents.js';
const reg = testRegistry();
for (const sync of ['OFF', 'NORMAL', 'FULL'] as const) {
  const dir = await tempDir();
  const store = await SqliteEventStore.open({ filename: join(dir.path, 'e.sqlite'), registry: reg, synchronous: sync });
  let t = performance.now();
  for (let i = 0; i < 5000; i++) await store.append(`bench.s-${i%2000}`, [happened(i)]);
  console.log(sync, 'single/s', (5000 / (performance.now() - t) * 1000).toFixed(0));
  await store.append('bench.ten', Array.from({length:10},(_, i)=>happened(i)));
  t = performance.now();
  for (let i = 0; i < 5000; i++) await store.readStream('bench.ten');
  console.log(sync, 'reads/s', (5000 / (performance.now() - t) * 1000).toFixed(0));
  await store.close(); await dir.cleanup();
}
