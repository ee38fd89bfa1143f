import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  DuplicateEventIdError,
  EventRegistry,
  ValidationError,
  WrongExpectedRevisionError,
  type EventStore,
  type ExpectedRevision,
  type RecordedEvent,
} from '../../src/kernel/host.js';
import { Happened, Large, Other, RenamedV1, happened, testRegistry } from './testEvents.js';

/**
 * The behaviour every EventStore adapter must have. An adapter's test file calls this with a
 * harness; `open` may be called several times and must reach the same log until `reset`.
 */
export interface StoreHarness {
  open(registry: EventRegistry): Promise<EventStore>;
  reset(): Promise<void>;
  /**
   * True when the adapter promises gap-free positions (`start + 1 .. start + n`), as SQLite does.
   * Every adapter is held to strictly increasing positions in read order, each append's result
   * naming where readAll finds its last event, and gap-free revisions per stream.
   */
  densePositions?: boolean;
  /**
   * True when positions are the server's own log offsets (EventStoreDB): `after` then takes only
   * 0 or a position the store returned, not a number in between such as `position - 1`.
   */
  opaquePositions?: boolean;
  /** True when event ids are unique per stream only (EventStoreDB): reusing one in another stream is no error. */
  idsUniquePerStream?: boolean;
  /**
   * Racers in the collision test (default 1000). They make about racers² / 2 appends; through a
   * client costing ~0.4 ms of CPU per call (EventStoreDB's) 1000 racers outlast the timeout.
   */
  racers?: number;
}

/** Asserts positions strictly increase, starting above `after`. */
function expectIncreasing(positions: number[], after: number): void {
  positions.forEach((p, i) => {
    const previous = i === 0 ? after : positions[i - 1]!;
    expect(p, `position #${i} (${p}) is not above ${previous}`).to.be.greaterThan(previous);
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

export function eventStoreContract(name: string, harness: () => StoreHarness) {
  describe(`EventStore contract: ${name}`, function () {
    this.timeout(120_000);
    let h: StoreHarness;
    let store: EventStore;
    /** Highest position an append of the current test was told. */
    let highest = 0;

    /** The adapter, with every append's result noted in `highest`. */
    const open = async (registry: EventRegistry): Promise<EventStore> => {
      const inner = await h.open(registry);
      return new Proxy(inner, {
        get(target, key) {
          if (key === 'append') {
            return async (...args: Parameters<EventStore['append']>) => {
              const result = await target.append(...args);
              highest = Math.max(highest, result.position);
              return result;
            };
          }
          const value: unknown = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    };

    /**
     * Waits until everything this test appended is below the head, hence readable by readAll.
     * An adapter may acknowledge a commit before its readers may pass it (PostgreSQL does while
     * an older transaction on the server is still open); on SQLite this returns at once.
     */
    async function settled(): Promise<void> {
      for (let head = await store.headPosition(); head < highest; head = await store.headPosition()) {
        await store.waitForAppend(head, 1000);
      }
    }

    beforeEach(async () => {
      h = harness();
      highest = 0;
      await h.reset();
      store = await open(testRegistry());
    });
    afterEach(async () => {
      await store.close();
    });

    const stream = () => `test.thing-${randomUUID()}`;

    /** Asserts an append failed with nothing written: same head, same stream revision. */
    async function expectNothingWritten(s: string, attempt: () => Promise<unknown>): Promise<Error> {
      await settled();
      const head = await store.headPosition();
      const revision = await store.streamRevision(s);
      const error = await rejection(attempt());
      expect(await store.headPosition(), 'head moved').to.equal(head);
      expect(await store.streamRevision(s), 'stream revision moved').to.equal(revision);
      return error;
    }

    describe('append and expected revision', () => {
      const cases: { expected: (existing: boolean) => ExpectedRevision; existing: boolean; ok: boolean; label: string }[] = [
        { label: 'any / new stream', expected: () => 'any', existing: false, ok: true },
        { label: 'any / existing stream', expected: () => 'any', existing: true, ok: true },
        { label: 'no_stream / new stream', expected: () => 'no_stream', existing: false, ok: true },
        { label: 'no_stream / existing stream', expected: () => 'no_stream', existing: true, ok: false },
        { label: 'stream_exists / new stream', expected: () => 'stream_exists', existing: false, ok: false },
        { label: 'stream_exists / existing stream', expected: () => 'stream_exists', existing: true, ok: true },
        { label: 'exact (right) / existing stream', expected: () => 1, existing: true, ok: true },
        { label: 'exact (stale) / existing stream', expected: () => 0, existing: true, ok: false },
        { label: 'exact (ahead) / existing stream', expected: () => 5, existing: true, ok: false },
        { label: 'exact 0 / new stream', expected: () => 0, existing: false, ok: false },
      ];
      for (const c of cases) {
        it(`${c.label} → ${c.ok ? 'appends' : 'conflict, nothing written'}`, async () => {
          const s = stream();
          if (c.existing) await store.append(s, [happened(1), happened(2)]); // revisions 0 and 1
          const expected = c.expected(c.existing);
          if (c.ok) {
            const before = await store.streamRevision(s);
            const result = await store.append(s, [happened(3)], { expectedRevision: expected });
            expect(result.nextRevision).to.equal(before + 1);
            expect(await store.streamRevision(s)).to.equal(before + 1);
          } else {
            const error = await expectNothingWritten(s, () => store.append(s, [happened(3)], { expectedRevision: expected }));
            expect(error).to.be.instanceOf(WrongExpectedRevisionError);
            const conflict = error as WrongExpectedRevisionError;
            expect(conflict.stream).to.equal(s);
            expect(conflict.expected).to.equal(String(expected));
            expect(conflict.actual).to.equal(c.existing ? '1' : 'no_stream');
            expect(conflict.message).to.contain(s);
          }
        });
      }

      it('a rejected append leaves the stream readable as before (no revision bump)', async () => {
        const s = stream();
        await store.append(s, [happened(1)]);
        await expectNothingWritten(s, () => store.append(s, [happened(2), happened(3)], { expectedRevision: 'no_stream' }));
        const events = await store.readStream(s);
        expect(events.map((e) => e.revision)).to.deep.equal([0]);
        // The next append with the right revision gets revision 1, not 2 or 3.
        const result = await store.append(s, [happened(4)], { expectedRevision: 0 });
        expect(result.nextRevision).to.equal(1);
      });

      it('records id, stream, revision, position, type, version, data, metadata and time', async () => {
        const s = stream();
        const id = randomUUID();
        const before = Date.now();
        const result = await store.append(s, [
          { id, type: Happened.type, data: { n: 7, note: 'hi' }, metadata: { correlationId: 'c-1', causationId: 'x-1', actor: 'u-1', module: 'test' } },
        ]);
        const [e] = await store.readStream(s);
        expect(e).to.deep.include({ id, stream: s, revision: 0, position: result.position, type: Happened.type, schemaVersion: 1 });
        expect(e!.data).to.deep.equal({ n: 7, note: 'hi' });
        expect(e!.metadata).to.deep.include({ correlationId: 'c-1', causationId: 'x-1', actor: 'u-1', module: 'test' });
        const at = Date.parse(e!.recordedAt);
        expect(at).to.be.within(before - 1000, Date.now() + 1000);
      });

      it('events survive closing and reopening the store', async () => {
        const s = stream();
        await store.append(s, [happened(1), happened(2)]);
        await store.close();
        store = await open(testRegistry());
        expect((await store.readStream(s)).map((e) => (e.data as { n: number }).n)).to.deep.equal([1, 2]);
      });
    });

    describe('idempotent retries', () => {
      it('the same ids and content again is a no-op success with the same result', async () => {
        const s = stream();
        const events = [happened(1, { id: randomUUID() }), happened(2, { id: randomUUID() })];
        const first = await store.append(s, events, { expectedRevision: 'no_stream' });
        await settled();
        const head = await store.headPosition();
        const again = await store.append(s, events, { expectedRevision: 'no_stream' });
        expect(again).to.deep.equal(first);
        expect(await store.headPosition()).to.equal(head);
        expect(await store.readStream(s)).to.have.length(2);
      });

      it('the same id with other content is an error, and nothing is written', async () => {
        const s = stream();
        const id = randomUUID();
        await store.append(s, [happened(1, { id })]);
        const error = await expectNothingWritten(s, () => store.append(s, [happened(2, { id })]));
        expect(error).to.be.instanceOf(DuplicateEventIdError);
        expect(error.message).to.contain(id);
      });

      it('the same id in another stream is an error', async function () {
        if (h.idsUniquePerStream) this.skip();
        const id = randomUUID();
        await store.append(stream(), [happened(1, { id })]);
        const s = stream();
        expect(await expectNothingWritten(s, () => store.append(s, [happened(1, { id })]))).to.be.instanceOf(DuplicateEventIdError);
      });

      it('a retry that repeats only some of the ids is an error', async () => {
        const s = stream();
        const id = randomUUID();
        await store.append(s, [happened(1, { id })]);
        const error = await expectNothingWritten(s, () => store.append(s, [happened(1, { id }), happened(2, { id: randomUUID() })]));
        expect(error).to.be.instanceOf(DuplicateEventIdError);
      });

      it('concurrent retries of one append write it once', async () => {
        const s = stream();
        const events = [happened(1, { id: randomUUID() })];
        const results = await Promise.all(Array.from({ length: 20 }, () => store.append(s, events, { expectedRevision: 'no_stream' })));
        expect(new Set(results.map((r) => r.position)).size).to.equal(1);
        expect(await store.readStream(s)).to.have.length(1);
      });
    });

    describe('concurrency', () => {
      it('1,000 concurrent racers on one stream: one winner per revision, revisions gap-free', async () => {
        const s = stream();
        const racers = h.racers ?? 1000;
        let attempts = 0;
        const wins = await Promise.all(
          Array.from({ length: racers }, async (_, racer) => {
            let expected: ExpectedRevision = 'no_stream';
            for (;;) {
              attempts++;
              try {
                const result = await store.append(s, [happened(racer)], { expectedRevision: expected });
                return result.nextRevision;
              } catch (error) {
                if (!(error instanceof WrongExpectedRevisionError)) throw error;
                expected = Number(error.actual);
              }
            }
          }),
        );
        expect(attempts).to.be.greaterThan(racers); // they really did collide
        expect([...wins].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: racers }, (_, i) => i));
        const events = await store.readStream(s);
        expect(events.map((e) => e.revision)).to.deep.equal(Array.from({ length: racers }, (_, i) => i));
        // Each racer's event was written exactly once, at the revision its append was told.
        events.forEach((e) => expect(wins[(e.data as { n: number }).n]).to.equal(e.revision));
      });

      it('concurrent appends to one stream with `any` get distinct, gap-free revisions', async () => {
        const s = stream();
        const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.append(s, [happened(i)])));
        expect(results.map((r) => r.nextRevision).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 200 }, (_, i) => i));
      });

      it('appends committed together keep their own outcomes', async () => {
        const s = stream();
        await store.append(s, [happened(0)]);
        const outcomes = await Promise.allSettled([
          store.append(s, [happened(1)], { expectedRevision: 0 }),
          store.append(s, [happened(2)], { expectedRevision: 0 }),
          store.append(stream(), [happened(3)], { expectedRevision: 'no_stream' }),
          store.append(s, [{ type: 'test.Nope', data: {} }]),
        ]);
        expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
        expect((outcomes[1] as PromiseRejectedResult).reason).to.be.instanceOf(WrongExpectedRevisionError);
        expect((outcomes[3] as PromiseRejectedResult).reason).to.be.instanceOf(ValidationError);
        expect((await store.readStream(s)).map((e) => (e.data as { n: number }).n)).to.deep.equal([0, 1]);
      });

      it('global order equals commit order: positions increasing (gap-free where promised), each append at the position it was told', async () => {
        const start = await store.headPosition();
        const streams = Array.from({ length: 20 }, stream);
        const results = await Promise.all(
          Array.from({ length: 400 }, (_, i) => store.append(streams[i % 20]!, [happened(i), happened(i)]).then((r) => ({ i, r }))),
        );
        await settled();
        const all = await store.readAll({ after: start });
        expect(all).to.have.length(800);
        expectIncreasing(all.map((e) => e.position), start);
        if (h.densePositions) expect(all.map((e) => e.position)).to.deep.equal(Array.from({ length: 800 }, (_, i) => start + i + 1));
        const byPosition = new Map(all.map((e) => [e.position, e]));
        for (const { i, r } of results) {
          expect((byPosition.get(r.position)!.data as { n: number }).n).to.equal(i);
          expect(byPosition.get(r.position)!.revision).to.equal(r.nextRevision);
        }
        // Within a stream, revision order is position order, and revisions are gap-free.
        for (const s of streams) {
          expect(all.filter((e) => e.stream === s).map((e) => e.revision)).to.deep.equal(Array.from({ length: 40 }, (_, i) => i));
        }
        // A later, awaited append always lands after an earlier one.
        const a = await store.append(stream(), [happened(1)]);
        const b = await store.append(stream(), [happened(2)]);
        expect(b.position).to.be.greaterThan(a.position);
        await settled();
        expect(await store.headPosition()).to.equal(b.position);
      });
    });

    describe('reading', () => {
      it('readStream forwards, backwards, from a revision, with a maximum', async () => {
        const s = stream();
        await store.append(s, Array.from({ length: 10 }, (_, i) => happened(i)));
        const n = (events: RecordedEvent[]) => events.map((e) => (e.data as { n: number }).n);
        expect(n(await store.readStream(s))).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(n(await store.readStream(s, { fromRevision: 7 }))).to.deep.equal([7, 8, 9]);
        expect(n(await store.readStream(s, { maxCount: 2 }))).to.deep.equal([0, 1]);
        expect(n(await store.readStream(s, { direction: 'backwards' }))).to.deep.equal([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
        expect(n(await store.readStream(s, { direction: 'backwards', fromRevision: 3, maxCount: 2 }))).to.deep.equal([3, 2]);
        expect(await store.readStream(stream())).to.deep.equal([]);
        expect(await store.streamRevision(stream())).to.equal(-1);
        expect(await store.streamRevision(s)).to.equal(9);
      });

      it('readAll from a position, up to a position, with a maximum, filtered by type and stream prefix', async () => {
        const start = await store.headPosition();
        const [a, b] = [`test.alpha-${randomUUID()}`, `test.beta-${randomUUID()}`];
        await store.append(a, [happened(1), { type: Other.type, data: { label: 'x' } }]);
        await store.append(b, [happened(2), { type: Other.type, data: { label: 'y' } }]);
        await settled();
        const all = await store.readAll({ after: start });
        const p = all.map((e) => e.position);
        expect(p).to.have.length(4);
        expectIncreasing(p, start);
        if (h.densePositions) expect(p).to.deep.equal([start + 1, start + 2, start + 3, start + 4]);
        expect((await store.readAll({ after: p[1] })).map((e) => e.position)).to.deep.equal([p[2], p[3]]);
        expect((await store.readAll({ after: start, upTo: p[2] })).map((e) => e.position)).to.deep.equal([p[0], p[1], p[2]]);
        expect((await store.readAll({ after: start, maxCount: 1 })).map((e) => e.position)).to.deep.equal([p[0]]);
        const others = await store.readAll({ after: start, filter: { eventTypes: [Other.type] } });
        expect(others.map((e) => (e.data as { label: string }).label)).to.deep.equal(['x', 'y']);
        const betas = await store.readAll({ after: start, filter: { streamPrefixes: ['test.beta-'] } });
        expect(betas.map((e) => e.stream)).to.deep.equal([b, b]);
        const both = await store.readAll({ after: start, filter: { eventTypes: [Happened.type], streamPrefixes: ['test.alpha-', 'test.beta-'] } });
        expect(both.map((e) => e.stream)).to.deep.equal([a, b]);
        // A prefix is matched literally: `%` and `_` are not wildcards.
        expect(await store.readAll({ after: start, filter: { streamPrefixes: ['test.%'] } })).to.deep.equal([]);
      });

      it('readAll filtered by correlation id: one conversation across streams, in log order, alone or with other filters', async () => {
        const start = await store.headPosition();
        const [conversation, other] = [randomUUID(), randomUUID()];
        const [a, b] = [`test.alpha-${randomUUID()}`, `test.beta-${randomUUID()}`];
        await store.append(a, [{ ...happened(1), metadata: { correlationId: conversation } }, { ...happened(2), metadata: { correlationId: other } }]);
        await store.append(b, [{ type: Other.type, data: { label: 'z' }, metadata: { correlationId: conversation, causationId: 'x' } }, happened(3)]);
        await settled();
        const found = await store.readAll({ after: start, filter: { correlationId: conversation } });
        expect(found.map((e) => [e.stream, e.metadata.correlationId])).to.deep.equal([[a, conversation], [b, conversation]]);
        expectIncreasing(found.map((e) => e.position), start);
        expect((await store.readAll({ after: start, filter: { correlationId: conversation, eventTypes: [Other.type] } })).map((e) => e.stream)).to.deep.equal([b]);
        expect((await store.readAll({ after: start, filter: { correlationId: conversation }, maxCount: 1 })).map((e) => e.stream)).to.deep.equal([a]);
        expect(await store.readAll({ after: start, filter: { correlationId: randomUUID() } })).to.deep.equal([]);
      });

      it('upcasts events written with an older schema version to the current one', async () => {
        await store.close();
        store = await open(new EventRegistry([RenamedV1]));
        const s = stream();
        const before = h.opaquePositions ? await store.headPosition() : 0;
        await store.append(s, [{ type: RenamedV1.type, data: { name: 'Ada King Lovelace' } }]);
        await store.close();
        store = await open(testRegistry()); // knows version 2
        await settled();
        const [e] = await store.readStream(s);
        expect(e!.schemaVersion).to.equal(2);
        expect(e!.data).to.deep.equal({ first: 'Ada', last: 'King Lovelace' });
        const [viaAll] = await store.readAll({ after: h.opaquePositions ? before : e!.position - 1, maxCount: 1 });
        expect(viaAll!.data).to.deep.equal({ first: 'Ada', last: 'King Lovelace' });
      });
    });

    describe('subscriptions', () => {
      it('catch up on the past, then go live, in global order without gaps', async () => {
        const start = await store.headPosition();
        const s = stream();
        for (let i = 0; i < 30; i++) await store.append(s, [happened(i)]);
        const seen: RecordedEvent[] = [];
        let resolveAll!: () => void;
        const allSeen = new Promise<void>((r) => (resolveAll = r));
        const subscription = store.subscribe({ after: start, batchSize: 7 }, (e) => {
          seen.push(e);
          if (seen.length === 130) resolveAll();
        });
        // Live appends, some concurrent, while the subscription is catching up.
        await Promise.all(Array.from({ length: 100 }, (_, i) => store.append(stream(), [happened(100 + i)])));
        await allSeen;
        await subscription.stop();
        expectIncreasing(seen.map((e) => e.position), start);
        if (h.densePositions) expect(seen.map((e) => e.position)).to.deep.equal(Array.from({ length: 130 }, (_, i) => start + i + 1));
        // Without gaps: exactly what the log holds, in its order.
        await settled();
        expect(seen.map((e) => e.id)).to.deep.equal((await store.readAll({ after: start })).map((e) => e.id));
        expect(subscription.position).to.equal(seen[129]!.position);
      });

      it('goes live without waiting: an append reaches an idle subscriber promptly', async () => {
        const start = await store.headPosition();
        const got: number[] = [];
        let notify!: () => void;
        const arrived = new Promise<void>((r) => (notify = r));
        const subscription = store.subscribe({ after: start }, (e) => {
          got.push(e.position);
          notify();
        });
        await new Promise((r) => setTimeout(r, 50)); // let it go idle
        const { position } = await store.append(stream(), [happened(1)]);
        await arrived;
        await subscription.stop();
        expect(got).to.deep.equal([position]);
      });

      it('delivers only what the filter asks for, and moves past the rest', async () => {
        const start = await store.headPosition();
        const got: string[] = [];
        let notify!: () => void;
        const arrived = new Promise<void>((r) => (notify = r));
        const subscription = store.subscribe({ after: start, filter: { eventTypes: [Other.type] } }, (e) => {
          got.push((e.data as { label: string }).label);
          if (got.length === 2) notify();
        });
        await store.append(stream(), [happened(1), { type: Other.type, data: { label: 'a' } }, happened(2)]);
        await store.append(stream(), [happened(3), { type: Other.type, data: { label: 'b' } }]);
        await arrived;
        await subscription.stop();
        expect(got).to.deep.equal(['a', 'b']);
      });

      it('never delivers an event that a reader cannot read back', async () => {
        const start = await store.headPosition();
        const delivered: RecordedEvent[] = [];
        let previous = start;
        const subscription = store.subscribe({ after: start, batchSize: 3 }, async (e) => {
          const [again] = await store.readAll({ after: h.opaquePositions ? previous : e.position - 1, maxCount: 1 });
          expect(again?.id).to.equal(e.id);
          delivered.push(e);
          previous = e.position;
        });
        const s = stream();
        await Promise.all(Array.from({ length: 60 }, (_, i) => store.append(s, [happened(i)])));
        while (delivered.length < 60) await new Promise((r) => setTimeout(r, 10));
        await subscription.stop();
        expect(delivered.map((e) => e.revision).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 60 }, (_, i) => i));
      });

      it('a handler that throws ends the subscription with its error', async () => {
        await store.append(stream(), [happened(1)]);
        const subscription = store.subscribe({ after: 0 }, () => {
          throw new Error('handler broke');
        });
        const error = await rejection(subscription.done);
        expect(error.message).to.equal('handler broke');
      });
    });

    describe('bad input is rejected with a clear error and nothing written', () => {
      const bad: [string, (s: string) => Promise<unknown>, RegExp][] = [
        ['unknown event type', (s) => store.append(s, [{ type: 'test.Unknown', data: {} }]), /unknown event type "test.Unknown"/],
        ['data failing its schema', (s) => store.append(s, [{ type: Happened.type, data: { n: 'one' } }]), /data of test.Happened is invalid: n:/],
        ['missing data', (s) => store.append(s, [{ type: Happened.type, data: undefined }]), /data of test.Happened is invalid/],
        ['empty stream name', () => store.append('', [happened(1)]), /stream name must be a non-empty string/],
        ['overlong stream name', () => store.append('x'.repeat(201), [happened(1)]), /stream name is 201 characters long; the limit is 200/],
        ['an event over the size limit', (s) => store.append(s, [{ type: Large.type, data: { blob: 'x'.repeat(1024 * 1024 + 1) } }]), /bytes; the limit is 1048576/],
        ['no events', (s) => store.append(s, []), /at least one event/],
        ['an id that is not a UUID', (s) => store.append(s, [{ ...happened(1), id: 'nope' }]), /not a UUID/],
        ['one id twice in an append', (s) => { const id = randomUUID(); return store.append(s, [happened(1, { id }), happened(2, { id })]); }, /appears twice/],
        ['a negative expected revision', (s) => store.append(s, [happened(1)], { expectedRevision: -3 }), /expectedRevision must be/],
        ['a bad event in the middle of a batch', (s) => store.append(s, [happened(1), { type: Happened.type, data: {} }, happened(3)]), /data of test.Happened is invalid/],
      ];
      for (const [label, attempt, message] of bad) {
        it(label, async () => {
          const s = stream();
          await store.append(s, [happened(0)]);
          const error = await expectNothingWritten(s, () => attempt(s));
          expect(error).to.be.instanceOf(ValidationError);
          expect(error.message).to.match(message);
        });
      }
    });
  });
}
