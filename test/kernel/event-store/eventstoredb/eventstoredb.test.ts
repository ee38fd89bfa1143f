import { randomUUID } from 'node:crypto';
import {
  ANY,
  AccessDeniedError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  STREAM_EXISTS,
  START,
  StreamDeletedError,
  UnavailableError as ClientUnavailableError,
  UnknownError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
} from '@eventstore/db-client';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import { expect } from 'chai';
import {
  ConflictError,
  DuplicateEventIdError,
  EventRegistry,
  SeamsError,
  UnavailableError,
  ValidationError,
  WrongExpectedRevisionError,
} from '../../../../src/kernel/host.js';
import { appendOutcome } from '../../../../src/kernel/event-store/eventstoredb/appendOutcome.js';
import { isTransient, toAppendError, toSeamsError } from '../../../../src/kernel/event-store/eventstoredb/errors.js';
import { fromClientCurrentRevision, toClientExpectedRevision } from '../../../../src/kernel/event-store/eventstoredb/expectedRevision.js';
import { escapeRegex, exactNamesRegex, matchesFilter, toServerFilter } from '../../../../src/kernel/event-store/eventstoredb/filters.js';
import { eventPosition, toPortPosition, toReadPosition } from '../../../../src/kernel/event-store/eventstoredb/positions.js';
import { RangeCollector, type RangeItem } from '../../../../src/kernel/event-store/eventstoredb/rangeCollector.js';
import { toEventData, toRecordedEvent } from '../../../../src/kernel/event-store/eventstoredb/recordedEvents.js';
import { prepareEvents } from '../../../../src/kernel/event-store/prepare.js';
import { Happened, RenamedV1, happened, testRegistry } from '../../../support/testEvents.js';

describe('EventStoreDB adapter: translations to and from the client', () => {
  describe('expected revisions', () => {
    it('map to the client constants, an exact revision to a bigint', () => {
      expect(toClientExpectedRevision('any')).to.equal(ANY);
      expect(toClientExpectedRevision('no_stream')).to.equal(NO_STREAM);
      expect(toClientExpectedRevision('stream_exists')).to.equal(STREAM_EXISTS);
      expect(toClientExpectedRevision(0)).to.equal(0n);
      expect(toClientExpectedRevision(41)).to.equal(41n);
    });

    it("the client's current revision becomes ours: no_stream is -1", () => {
      expect(fromClientCurrentRevision(NO_STREAM)).to.equal(-1);
      expect(fromClientCurrentRevision(7n)).to.equal(7);
    });
  });

  describe('a refused append', () => {
    const ids = [randomUUID(), randomUUID()];
    /** The error the client throws, built as the client builds it from the server's answer. */
    const refusal = (current: bigint | typeof NO_STREAM) =>
      new WrongExpectedVersionError(undefined, { streamName: 'test.thing-1', expected: ANY, current });

    const cases: [string, Parameters<typeof toAppendError>[1]['expected'], bigint | typeof NO_STREAM, string][] = [
      ['no_stream on an existing stream', 'no_stream', 1n, '1'],
      ['stream_exists on a missing stream', 'stream_exists', NO_STREAM, 'no_stream'],
      ['a stale exact revision', 0, 1n, '1'],
      ['an exact revision ahead', 5, 1n, '1'],
      ['exact 0 on a missing stream', 0, NO_STREAM, 'no_stream'],
    ];
    for (const [label, expected, current, actual] of cases) {
      it(`${label} is a WrongExpectedRevisionError with our names`, () => {
        const error = toAppendError(refusal(current), { stream: 'test.thing-1', expected, eventIds: ids });
        expect(error).to.be.instanceOf(WrongExpectedRevisionError);
        expect(error).to.include({ stream: 'test.thing-1', expected: String(expected), actual, status: 409 });
      });
    }

    it('a refusal although the expectation held is a partly repeated retry: DuplicateEventIdError', () => {
      // EventStoreDB answers "wrong expected version" when only some ids of an append exist.
      for (const [expected, current] of [['any', 3n], ['stream_exists', 0n], [2, 2n]] as const) {
        const error = toAppendError(refusal(current), { stream: 'test.thing-1', expected, eventIds: ids });
        expect(error, String(expected)).to.be.instanceOf(DuplicateEventIdError);
        expect((error as Error).message).to.contain(ids[0]).and.to.contain('test.thing-1');
      }
    });

    it('reads the revisions the batch-append path decodes from the server', () => {
      // The protobuf detail a server sends on batch append, decoded by the client itself.
      const details = new sharedPb.WrongExpectedVersion();
      details.setCurrentStreamRevision('4');
      details.setExpectedNoStream(new sharedPb.Empty());
      const clientError = WrongExpectedVersionError.fromWrongExpectedVersion(details, 'test.thing-2');
      const error = toAppendError(clientError, { stream: 'test.thing-2', expected: 'no_stream', eventIds: ids });
      expect(error).to.be.instanceOf(WrongExpectedRevisionError).and.to.include({ expected: 'no_stream', actual: '4' });
    });
  });

  describe('other client errors', () => {
    it('"not now" errors are transient and answer 503', () => {
      for (const error of [new ClientUnavailableError(), new DeadlineExceededError(), new NotLeaderError(fakeNotLeader())]) {
        expect(isTransient(error), error.constructor.name).to.equal(true);
        const mapped = toSeamsError(error);
        expect(mapped).to.be.instanceOf(UnavailableError);
        expect((mapped as Error & { cause?: unknown }).cause).to.equal(error);
      }
      expect(isTransient(new UnknownError())).to.equal(false);
      expect(isTransient(new Error('x'))).to.equal(false);
    });

    it('an append over the server limit is a ValidationError naming the limit', () => {
      const mapped = toSeamsError(MaxAppendSizeExceededError.fromMaxAppendSize(1048576));
      expect(mapped).to.be.instanceOf(ValidationError);
      expect((mapped as Error).message).to.contain('1048576');
    });

    it('a deleted stream is a conflict naming it; missing rights say which', () => {
      const deleted = toSeamsError(StreamDeletedError.fromStreamName('test.thing-3'));
      expect(deleted).to.be.instanceOf(ConflictError);
      expect((deleted as Error).message).to.contain('test.thing-3');
      const denied = toSeamsError(new AccessDeniedError());
      expect(denied).to.be.instanceOf(SeamsError);
      expect((denied as Error).message).to.contain('$all');
    });

    it('anything else passes unchanged, our own errors included', () => {
      const unknown = new UnknownError();
      expect(toSeamsError(unknown)).to.equal(unknown);
      const ours = new ValidationError('bad');
      expect(toSeamsError(ours)).to.equal(ours);
    });
  });

  describe('filters', () => {
    it('event types become an exact event-type regex, built by the client helper', () => {
      const filter = toServerFilter({ eventTypes: ['test.Happened', 'test.Other'] });
      expect(filter).to.deep.equal(eventTypeFilter({ regex: '^(?:test\\.Happened|test\\.Other)$' }));
      const regex = new RegExp((filter as { regex: string }).regex);
      expect(['test.Happened', 'test.Other'].map((t) => regex.test(t))).to.deep.equal([true, true]);
      // Exact: no longer names, no wildcard dot, no system types.
      expect(['test.HappenedAgain', 'testXHappened', 'xtest.Happened', '$>'].some((t) => regex.test(t))).to.equal(false);
    });

    it('stream prefixes alone become a stream-name prefix filter; nothing excludes system events', () => {
      expect(toServerFilter({ streamPrefixes: ['test.alpha-', 'test.%'] })).to.deep.equal(streamNameFilter({ prefixes: ['test.alpha-', 'test.%'] }));
      expect(toServerFilter(undefined)).to.deep.equal(excludeSystemEvents());
      expect(toServerFilter({})).to.deep.equal(excludeSystemEvents());
      // Types and prefixes: the server narrows by type, matchesFilter by prefix.
      expect(toServerFilter({ eventTypes: ['test.Other'], streamPrefixes: ['test.beta-'] })).to.deep.equal(eventTypeFilter({ regex: exactNamesRegex(['test.Other']) }));
    });

    it('matchesFilter applies both dimensions literally and never passes a system event', () => {
      const f = { eventTypes: ['test.Happened'], streamPrefixes: ['test.alpha-', 'test.beta-'] };
      expect(matchesFilter(f, 'test.Happened', 'test.alpha-1')).to.equal(true);
      expect(matchesFilter(f, 'test.Happened', 'test.gamma-1')).to.equal(false);
      expect(matchesFilter(f, 'test.Other', 'test.alpha-1')).to.equal(false);
      expect(matchesFilter({ streamPrefixes: ['test.%'] }, 'test.Happened', 'test.alpha-1')).to.equal(false);
      expect(matchesFilter(undefined, '$>', 'test.alpha-1')).to.equal(false);
      expect(matchesFilter(undefined, '$metadata', '$$test.alpha-1')).to.equal(false);
      expect(matchesFilter({ eventTypes: [] }, 'test.Happened', 's')).to.equal(false);
      expect(matchesFilter({ streamPrefixes: [] }, 'test.Happened', 's')).to.equal(false);
    });

    it('escapes .NET regex metacharacters, and nothing that would start an escape sequence', () => {
      expect(escapeRegex('a.b-c_d9')).to.equal('a\\.b\\-c_d9');
      expect(escapeRegex('(x)[y]{z}^$|*+?\\/ #')).to.equal('\\(x\\)\\[y\\]\\{z\\}\\^\\$\\|\\*\\+\\?\\\\\\/\\ \\#');
      expect(escapeRegex('é\n')).to.equal('é\\x0a');
    });
  });

  describe('positions', () => {
    it('the commit position is the number; 0 is the start; a number reads back as commit = prepare', () => {
      expect(toPortPosition({ commit: 12_345n })).to.equal(12_345);
      expect(toReadPosition(0)).to.equal(START);
      expect(toReadPosition(12_345)).to.deep.equal({ commit: 12_345n, prepare: 12_345n });
      expect(() => toReadPosition(-1)).to.throw(RangeError);
      expect(() => toReadPosition(1.5)).to.throw(RangeError);
    });

    it('refuses offsets past 2^53 - 1 instead of rounding them to a neighbouring record', () => {
      expect(toPortPosition({ commit: BigInt(Number.MAX_SAFE_INTEGER) })).to.equal(Number.MAX_SAFE_INTEGER);
      expect(() => toPortPosition({ commit: BigInt(Number.MAX_SAFE_INTEGER) + 1n })).to.throw(/2\^53/);
    });

    it("takes an event's position from the record or the resolved event, refusing the unset markers of old servers", () => {
      expect(eventPosition(500n, 500n)).to.equal(500);
      expect(eventPosition(undefined, 500n)).to.equal(500);
      expect(eventPosition(0n, 700n)).to.equal(700);
      expect(() => eventPosition((1n << 64n) - 1n, undefined)).to.throw(/22\.6/);
      expect(() => eventPosition(0n, undefined)).to.throw(/no log position/);
    });
  });

  describe('events', () => {
    const registry = testRegistry();

    it('a new event is written as JSON with our id, its data, and the metadata plus the schema version', () => {
      const id = randomUUID();
      const [prepared] = prepareEvents(registry, 'test.thing-1', [
        { id, type: Happened.type, data: { n: 1 }, metadata: { correlationId: 'c', causationId: 'x', actor: 'u', module: 'test' } },
      ]);
      const data = toEventData(prepared!);
      expect(data).to.deep.equal(
        jsonEvent({
          id,
          type: 'test.Happened',
          data: { n: 1 },
          metadata: { correlationId: 'c', causationId: 'x', actor: 'u', module: 'test', schemaVersion: 1 },
        }),
      );
      expect(data.contentType).to.equal('application/json');
    });

    it('a read event becomes a RecordedEvent: metadata without the version, time from `created`, upcast data', () => {
      const id = randomUUID();
      const created = new Date('2024-05-06T07:08:09.123Z');
      const resolved = allEvent({
        id,
        type: RenamedV1.type,
        data: { name: 'Ada King Lovelace' },
        metadata: { correlationId: 'c-1', actor: 'u-1', schemaVersion: 1 },
        created,
      });
      expect(toRecordedEvent(resolved, registry)).to.deep.equal({
        id,
        stream: 'test.thing-9',
        revision: 3,
        position: 4096,
        type: 'test.Renamed',
        schemaVersion: 2,
        data: { first: 'Ada', last: 'King Lovelace' },
        metadata: { correlationId: 'c-1', actor: 'u-1' },
        recordedAt: '2024-05-06T07:08:09.123Z',
      });
      // A registry that only knows version 1 returns it as stored.
      expect(toRecordedEvent(resolved, new EventRegistry([RenamedV1])).data).to.deep.equal({ name: 'Ada King Lovelace' });
    });

    it("another writer's event reads with version 1 and empty metadata; JSON bytes are parsed", () => {
      const bytes = allEvent({ type: 'other.Thing', data: new TextEncoder().encode('{"a":1}'), metadata: undefined, isJson: false });
      expect(toRecordedEvent(bytes, registry)).to.include({ schemaVersion: 1 }).and.to.deep.include({ data: { a: 1 }, metadata: {} });
    });
  });

  describe('the outcome of an acknowledged append', () => {
    const registry = testRegistry();
    const sent = prepareEvents(registry, 'test.thing-1', [happened(1, { id: randomUUID() }), happened(2, { id: randomUUID() })]);
    const stored = (overrides: Partial<{ id: string; data: unknown }>[] = []) =>
      sent.map((e, i) => ({ id: e.id, type: e.type, data: JSON.parse(e.data), revision: 4 + i, position: 1000 + 100 * i, ...overrides[i] }));

    it('the same ids and content: the last event names revision and position', () => {
      expect(appendOutcome('test.thing-1', sent, stored())).to.deep.equal({ nextRevision: 5, position: 1100 });
      // The server returns ids in lower case; callers may have sent upper case.
      const upper = sent.map((e) => ({ ...e, id: e.id.toUpperCase() }));
      expect(appendOutcome('test.thing-1', upper, stored())).to.deep.equal({ nextRevision: 5, position: 1100 });
    });

    it('an id that exists with other content is a DuplicateEventIdError naming it', () => {
      expect(() => appendOutcome('test.thing-1', sent, stored([{}, { data: { n: 3 } }])))
        .to.throw(DuplicateEventIdError)
        .with.property('message')
        .that.contains(sent[1]!.id)
        .and.contains('other content');
    });

    it('revisions that hold other events are reported, not taken for success', () => {
      expect(() => appendOutcome('test.thing-1', sent, stored([{ id: randomUUID() }]))).to.throw(SeamsError, /acknowledged/);
      expect(() => appendOutcome('test.thing-1', sent, [])).to.throw(SeamsError, /hold nothing/);
    });
  });

  describe('collecting one readAll page from a scan', () => {
    const ev = (position: number, type = 'test.Happened', stream = 'test.a-1'): RangeItem<number> => ({ kind: 'event', position, type, stream, value: position });
    const collector = (range: Partial<{ after: number; upTo: number; maxCount: number }> = {}) =>
      new RangeCollector<number>({ after: 100, upTo: 1000, maxCount: Infinity, ...range }, (type) => type === 'test.Happened');

    it('keeps matching events strictly after `after`, and stops at the one on `upTo`', () => {
      const c = collector();
      expect([ev(100), ev(200), ev(300, 'test.Other'), ev(400)].map((i) => c.accept(i))).to.deep.equal([false, false, false, false]);
      expect(c.values).to.deep.equal([200, 400]);
      expect(c.scanned).to.equal(400);
      expect(c.accept(ev(1000))).to.equal(true);
      expect(c.values).to.deep.equal([200, 400, 1000]);
    });

    it('stops before an event past `upTo`, and after `maxCount` events', () => {
      const past = collector({ upTo: 350 });
      past.accept(ev(200));
      expect(past.accept(ev(400))).to.equal(true);
      expect(past.values).to.deep.equal([200]);
      const counted = collector({ maxCount: 2 });
      expect([ev(200), ev(300), ev(400)].map((i) => counted.accept(i))).to.deep.equal([false, true, true]);
      expect(counted.values).to.deep.equal([200, 300]);
    });

    it('a checkpoint moves the resume point; one at or past `upTo`, or "caught up", completes the page', () => {
      const c = collector();
      expect(c.accept({ kind: 'checkpoint', position: 600 })).to.equal(false);
      expect(c.scanned).to.equal(600);
      // A scan resumed from a checkpoint repeats the event there.
      c.accept(ev(600));
      expect(c.values).to.deep.equal([]);
      expect(c.accept({ kind: 'checkpoint', position: 1200 })).to.equal(true);
      const caught = collector();
      expect(caught.accept({ kind: 'caughtUp' })).to.equal(true);
    });

    it('an empty range is done before it starts', () => {
      expect(collector({ after: 1000 }).done).to.equal(true);
      expect(collector({ maxCount: 0 }).done).to.equal(true);
    });
  });
});

/** A `$all` event as the client converts it from the server's answer. */
function allEvent(e: { id?: string; type: string; data: unknown; metadata: unknown; created?: Date; isJson?: boolean }): AllStreamResolvedEvent {
  const position = { commit: 4096n, prepare: 4096n };
  return {
    event: {
      streamId: 'test.thing-9',
      id: e.id ?? randomUUID(),
      isJson: e.isJson ?? true,
      revision: 3n,
      type: e.type,
      created: e.created ?? new Date(),
      data: e.data,
      metadata: e.metadata,
      position,
    },
    commitPosition: 4096n,
  } as AllStreamResolvedEvent;
}

/** NotLeaderError reads the leader's address from the server's error metadata. */
function fakeNotLeader() {
  const map: Record<string, string> = { 'leader-endpoint-host': 'node-2', 'leader-endpoint-port': '2113' };
  return { code: 5, details: 'not leader', message: 'not leader', metadata: { getMap: () => map } } as never;
}
