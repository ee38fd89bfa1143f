import { EventStoreDbEventStore } from '../../../../src/kernel/host.js';
import { FakeEventStoreDb } from '../../../support/fakeEventStoreDb/fakeServer.js';
import { eventStoreContract } from '../../../support/eventStoreContract.js';

/**
 * The contract suite through the real client against an in-process fake server that speaks
 * the client's protocol (test/support/fakeEventStoreDb). It checks the adapter's own logic and
 * its use of the client; it cannot check EventStoreDB itself: see eventstoredb.test.ts.
 */
for (const [label, options] of [
  ['current server', {}],
  ['server before 23.10: no "caught up", appends without batching', { sendsCaughtUp: false, batchAppend: false }],
] as const) {
  let server = new FakeEventStoreDb(options);
  eventStoreContract(`eventstoredb on a fake server (${label})`, () => ({
    // Positions are sparse byte offsets (not `densePositions`), valid only where a record starts.
    opaquePositions: true,
    idsUniquePerStream: true,
    racers: 200,
    async reset() {
      server = new FakeEventStoreDb(options);
    },
    open: (registry) => EventStoreDbEventStore.withClient(server.client(), { registry, filteredReadIdleMs: 200 }),
  }));
}
