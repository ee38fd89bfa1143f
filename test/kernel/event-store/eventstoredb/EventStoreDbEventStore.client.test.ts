import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  DuplicateEventIdError,
  EventStoreDbEventStore,
  UnavailableError,
  WrongExpectedRevisionError,
  type EventStore,
  type RecordedEvent,
} from '../../../../src/kernel/host.js';
import { FakeEventStoreDb, type FakeServerOptions } from '../../../support/fakeEventStoreDb/fakeServer.js';
import { Happened, Other, happened, testRegistry } from '../../../support/testEvents.js';

/**
 * The adapter through the real client, against the in-process fake server: what goes over the
 * wire, and the EventStoreDB-specific paths the contract suite does not single out.
 */
describe('EventStoreDB adapter through the real client (fake server)', () => {
  let server: FakeEventStoreDb;
  let store: EventStore;
  const open = async (options: Partial<FakeServerOptions> = {}, idleMs = 300) => {
    server = new FakeEventStoreDb(options);
    store = await EventStoreDbEventStore.withClient(server.client(), { registry: testRegistry(), filteredReadIdleMs: idleMs });
  };
  afterEach(() => store.close());
  const s = () => `test.thing-${randomUUID()}`;
  const user = () => server.log.records.filter((r) => !r.type.startsWith('$'));

  it('writes JSON with our id, and the metadata with the schema version', async () => {
    await open();
    const id = randomUUID();
    await store.append(s(), [{ id, type: Happened.type, data: { n: 1 }, metadata: { correlationId: 'c-1', causationId: 'x-1', actor: 'u-1', module: 'test' } }]);
    const [record] = user();
    expect(record).to.include({ id, type: 'test.Happened', isJson: true });
    expect(JSON.parse(Buffer.from(record!.data).toString())).to.deep.equal({ n: 1 });
    expect(JSON.parse(Buffer.from(record!.metadata).toString())).to.deep.equal({
      correlationId: 'c-1',
      causationId: 'x-1',
      actor: 'u-1',
      module: 'test',
      schemaVersion: 1,
    });
  });

  for (const batchAppend of [true, false]) {
    describe(batchAppend ? 'batch append (servers since 21.10)' : 'single append call (older servers)', () => {
      it('a conflict carries the actual revision', async () => {
        await open({ batchAppend });
        const stream = s();
        await store.append(stream, [happened(1), happened(2)]);
        const error = await store.append(stream, [happened(3)], { expectedRevision: 'no_stream' }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(WrongExpectedRevisionError).and.to.include({ expected: 'no_stream', actual: '1' });
      });

      it('an append whose answer timed out is sent again: written once, whether the first got through or not', async () => {
        await open({ batchAppend });
        for (const fate of ['written', 'dropped'] as const) {
          const stream = s();
          server.appendTimeouts.push(fate);
          const result = await store.append(stream, [happened(1), happened(2)], { expectedRevision: 'no_stream' });
          const records = server.log.stream(stream)!;
          expect(records, fate).to.have.length(2);
          expect(result, fate).to.deep.equal({ nextRevision: 1, position: records[1]!.offset });
        }
        server.appendTimeouts.push('dropped', 'dropped', 'dropped');
        const error = await store.append(s(), [happened(1)]).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(UnavailableError);
      });

      for (const idempotentNoPosition of [true, false]) {
        it(`a faithful retry returns the first result (${idempotentNoPosition ? 'no' : 'a'} position in the answer)`, async () => {
          await open({ batchAppend, idempotentNoPosition });
          const stream = s();
          const events = [happened(1, { id: randomUUID() }), happened(2, { id: randomUUID() })];
          const first = await store.append(stream, events);
          expect(await store.append(stream, events)).to.deep.equal(first);
          expect(first.position).to.equal(user()[1]!.offset);
          const changed = [events[0]!, { ...events[1]!, data: { n: 9 } }];
          expect(await store.append(stream, changed).catch((e: unknown) => e)).to.be.instanceOf(DuplicateEventIdError);
          expect(user()).to.have.length(2);
        });
      }
    });
  }

  it('the head is the last event that is not a system event; a log of system records has head 0', async () => {
    await open();
    expect(await store.headPosition()).to.equal(0);
    const { position } = await store.append(s(), [happened(1)]);
    // The server projection's link came after it.
    expect(server.log.records.at(-1)!.type).to.equal('$>');
    expect(await store.headPosition()).to.equal(position);
  });

  it('positions are byte offsets: a number between two events is refused by the server', async () => {
    await open();
    const { position } = await store.append(s(), [happened(1), happened(2)]);
    expect(await store.readAll({ after: position - 1 }).catch((e: unknown) => e))
      .to.be.instanceOf(Error)
      .with.property('message')
      .that.matches(/not the start of a log record/);
  });

  describe('a filtered readAll is filtered by the server', () => {
    /** One event asked for, then 100 others up to the head (and their 100 links): the scan runs past its last match. */
    async function fill() {
      const start = await store.headPosition();
      await store.append(s(), [{ type: Other.type, data: { label: 'x' } }]);
      for (let i = 0; i < 100; i++) await store.append(s(), [happened(i)]);
      return start;
    }

    it('through a subscription with an exact event-type regex, ended by "caught up"', async () => {
      await open({}, 60_000);
      const start = await fill();
      const began = Date.now();
      const others = await store.readAll({ after: start, filter: { eventTypes: [Other.type] } });
      expect(others.map((e) => e.data)).to.deep.equal([{ label: 'x' }]);
      expect(Date.now() - began, 'waited for silence').to.be.lessThan(5_000);
      const [subscription, ...rest] = server.calls.filter((c) => c.request.getOptions()!.hasSubscription());
      expect(rest).to.have.length(0);
      expect(subscription!.request.getOptions()!.getFilter()!.getEventType()!.getRegex()).to.equal('^(?:test\\.Other)$');
      // Done, so cancelled: no server call is left running.
      await eventually(() => subscription!.cancelled);
    });

    it('on a server that never says "caught up", the rest is read unfiltered once it falls silent', async () => {
      await open({ sendsCaughtUp: false }, 200);
      const start = await fill();
      const others = await store.readAll({ after: start, filter: { eventTypes: [Other.type] } });
      expect(others.map((e) => e.data)).to.deep.equal([{ label: 'x' }]);
      const unfiltered = server.calls.filter((c) => !c.request.getOptions()!.hasSubscription() && c.request.getOptions()!.hasAll());
      // Head lookups read backwards; the fallback reads forwards.
      expect(unfiltered.some((c) => c.request.getOptions()!.getReadDirection() === 0)).to.equal(true);
    });

    it('stops at the page size and at `upTo`, leaving later events for the next page', async () => {
      await open();
      const start = await store.headPosition();
      const stream = s();
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await store.append(stream, [{ type: Other.type, data: { label: String(i) } }, happened(i)]));
      const page = await store.readAll({ after: start, maxCount: 2, filter: { eventTypes: [Other.type] } });
      expect(page.map((e) => (e.data as { label: string }).label)).to.deep.equal(['0', '1']);
      const next = await store.readAll({ after: page[1]!.position, upTo: results[3]!.position, filter: { eventTypes: [Other.type] } });
      expect(next.map((e) => (e.data as { label: string }).label)).to.deep.equal(['2', '3']);
    });
  });

  describe('subscriptions', () => {
    it('subscribe again after a transient failure, from the last event handled: no gap, no repeat', async () => {
      await open();
      const start = await store.headPosition();
      server.subscriptionFault = { afterEvents: 3, code: 14 }; // UNAVAILABLE
      const seen: number[] = [];
      const subscription = store.subscribe({ after: start }, (e) => void seen.push((e.data as { n: number }).n));
      for (let i = 0; i < 10; i++) await store.append(s(), [happened(i)]);
      while (seen.length < 10) await new Promise((r) => setTimeout(r, 20));
      await subscription.stop();
      expect(seen).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(server.calls.filter((c) => c.request.getOptions()!.hasSubscription())).to.have.length(2);
    });

    it('any other failure ends the subscription with the error', async () => {
      await open();
      server.subscriptionFault = { afterEvents: 0, code: 7 }; // PERMISSION_DENIED: not transient
      await store.append(s(), [happened(1)]);
      const subscription = store.subscribe({ after: 0 }, () => undefined);
      const error = await subscription.done.catch((e: unknown) => e);
      expect(error).to.be.instanceOf(Error);
    });

    it('a filtered subscription moves past what it skips; an unfiltered one only past what it delivers', async () => {
      await open();
      const start = await store.headPosition();
      // 40 links and 40 events nobody asked for: past a checkpoint (every 32 skipped).
      for (let i = 0; i < 40; i++) await store.append(s(), [happened(i)]);
      const last = await store.append(s(), [{ type: Other.type, data: { label: 'x' } }]);
      const filtered = store.subscribe({ after: start, filter: { eventTypes: ['test.Nothing'] } }, () => undefined);
      const all: RecordedEvent[] = [];
      const unfiltered = store.subscribe({ after: start }, (e) => void all.push(e));
      while (filtered.position <= start || all.length < 41) await new Promise((r) => setTimeout(r, 20));
      await Promise.all([filtered.stop(), unfiltered.stop()]);
      expect(filtered.position).to.be.greaterThan(start);
      expect(unfiltered.position).to.equal(last.position);
    });

    it('stop() cancels the call on the server and returns while the server is silent; close() stops the rest', async () => {
      await open();
      const first = store.subscribe({ after: 0 }, () => undefined);
      const second = store.subscribe({ after: 0 }, () => undefined);
      await new Promise((r) => setTimeout(r, 50));
      await first.stop();
      const [a, b] = server.calls.filter((c) => c.request.getOptions()!.hasSubscription());
      await eventually(() => a!.cancelled);
      expect(b!.cancelled).to.equal(false);
      await store.close();
      await second.done;
      await eventually(() => b!.cancelled);
    });

    it('a stop while the handler runs waits for the handler', async () => {
      await open();
      let finished = false;
      await store.append(s(), [happened(1)]);
      let started!: () => void;
      const running = new Promise<void>((r) => (started = r));
      const subscription = store.subscribe({ after: 0 }, async () => {
        started();
        await new Promise((r) => setTimeout(r, 100));
        finished = true;
      });
      await running;
      await subscription.stop();
      expect(finished).to.equal(true);
    });
  });
});

/** Waits (briefly) for something the client does on a later turn of the event loop, such as cancelling a call. */
async function eventually(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).to.equal(true);
}
