import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { EventStoreDbEventStore, type EventStore } from '../../../../src/kernel/host.js';
import { happened, testRegistry } from '../../../support/testEvents.js';
import { eventStoreContract } from '../../../support/eventStoreContract.js';

/**
 * The contract suite against a real EventStoreDB, when EVENTSTORE_URL names one, e.g.
 *   docker run --rm -p 2113:2113 eventstore/eventstore:24.10 --insecure --run-projections=All
 *   EVENTSTORE_URL='esdb://localhost:2113?tls=false' npm test
 *
 * The server's log cannot be reset, so every test writes to streams named with a fresh UUID.
 * The head, though, is the whole server's: the suite compares heads before and after appends
 * and counts what it reads after a head, so no one else may append to that server during the
 * run (server projections may: their links are system events, which the adapter ignores).
 */
const url = process.env.EVENTSTORE_URL;

if (!url) {
  describe('EventStore contract: eventstoredb (real server)', () => {
    it('skipped: set EVENTSTORE_URL (e.g. esdb://localhost:2113?tls=false) to a server no one else writes to', function () {
      this.skip();
    });
  });
} else {
  eventStoreContract('eventstoredb', () => ({
    // Positions are byte offsets of `$all`: increasing, sparse (not `densePositions`), and only
    // valid where a record starts.
    opaquePositions: true,
    // The server recognises a retried append by ids within the stream; ids are not unique across streams.
    idsUniquePerStream: true,
    // ~20,000 appends instead of ~500,000: the client's per-call cost would outlast the timeout.
    racers: 200,
    async reset() {},
    open: (registry) => EventStoreDbEventStore.open({ connectionString: url, registry }),
  }));

  /** What the harness flags above claim about the server, checked on it. */
  describe('EventStoreDB server behaviour the adapter relies on', () => {
    let store: EventStore;
    beforeEach(async () => {
      store = await EventStoreDbEventStore.open({ connectionString: url, registry: testRegistry() });
    });
    afterEach(() => store.close());

    it('a number between two positions is no position: the server refuses to read from it', async () => {
      const { position } = await store.append(`test.thing-${randomUUID()}`, [happened(1), happened(2)]);
      expect(await store.readAll({ after: position - 1, maxCount: 1 }).catch((e: unknown) => e)).to.be.instanceOf(Error);
    });

    it('an event id is unique within its stream only', async () => {
      const id = randomUUID();
      await store.append(`test.thing-${randomUUID()}`, [happened(1, { id })]);
      const other = `test.thing-${randomUUID()}`;
      await store.append(other, [happened(1, { id })]);
      expect((await store.readStream(other)).map((e) => e.id)).to.deep.equal([id]);
    });
  });
}
