import { expect } from 'chai';
import type { ReadAllOptions, RecordedEvent } from '../../../../src/kernel/host.js';
import { RecentEvents, type RowCodec } from '../../../../src/kernel/event-store/sqlite/recentEvents.js';
import { openSqlite } from '../../../../src/kernel/sqlite/connection.js';
import { sharedSqliteLog } from '../../../support/sharedSqliteLog.js';
import { Happened, Other, happened, testRegistry } from '../../../support/testEvents.js';

const event = (position: number, type: string = Happened.type, stream = 'test.a', correlationId?: string): RecordedEvent => ({
  id: `id-${position}`,
  stream,
  revision: position,
  position,
  type,
  schemaVersion: 1,
  data: { n: position },
  metadata: correlationId ? { correlationId } : {},
  recordedAt: new Date(0).toISOString(),
});

/** Rows that are events already (the store's rows are the insert's arrays). */
const codec = (toEvent: (e: RecordedEvent) => RecordedEvent): RowCodec<RecordedEvent> => ({ position: (e) => e.position, type: (e) => e.type, stream: (e) => e.stream, toEvent });

describe('SQLite log: the tail this process appended, read from memory (RecentEvents)', function () {
  describe('the run of consecutive positions', () => {
    it('answers a range it holds whole, filtered and limited as the database would; anything else is not its to answer', () => {
      const recent = new RecentEvents(codec((e) => e));
      recent.add([event(5), event(6, Other.type, 'test.b', 'c-1'), event(7)]);
      recent.add([event(8, Other.type, 'test.b'), event(9)]);
      expect(recent.read({ after: 4, upTo: 9 })!.map((e) => e.position)).to.deep.equal([5, 6, 7, 8, 9]);
      expect(recent.read({ after: 5, upTo: 8, filter: { eventTypes: [Other.type] } })!.map((e) => e.position)).to.deep.equal([6, 8]);
      expect(recent.read({ after: 4, upTo: 9, filter: { streamPrefixes: ['test.b'] }, maxCount: 1 })!.map((e) => e.position)).to.deep.equal([6]);
      expect(recent.read({ after: 4, upTo: 9, filter: { correlationId: 'c-1' } })!.map((e) => e.position)).to.deep.equal([6]);
      expect(recent.read({ after: 4, upTo: 9, filter: { eventTypes: [] } })).to.deep.equal([]);
      expect(recent.read({ after: 9, upTo: 9 })).to.deep.equal([]);
      expect(recent.read({ after: 3, upTo: 9 }), 'position 4 is not in the run').to.equal(undefined);
      expect(recent.read({ after: 4, upTo: 10 }), 'position 10 is not in the run').to.equal(undefined);
      expect(recent.read({ after: 4 }), 'without upTo the head is unknown here').to.equal(undefined);
    });

    it('a batch after a gap (another process appended in between) starts the run again', () => {
      const recent = new RecentEvents(codec((e) => e));
      recent.add([event(1), event(2)]);
      recent.add([event(5)]);
      expect(recent.read({ after: 0, upTo: 2 })).to.equal(undefined);
      expect(recent.read({ after: 4, upTo: 5 })!.map((e) => e.position)).to.deep.equal([5]);
    });

    it('keeps the last `capacity` events', () => {
      const recent = new RecentEvents(codec((e) => e), 3);
      for (let p = 1; p <= 10; p++) recent.add([event(p)]);
      expect(recent.read({ after: 6, upTo: 10 })).to.equal(undefined);
      expect(recent.read({ after: 7, upTo: 10 })!.map((e) => e.position)).to.deep.equal([8, 9, 10]);
    });

    it('turns a row into an event the first time a read returns it, once; rows no read returns are never turned', () => {
      const turned: number[] = [];
      const recent = new RecentEvents(codec((e) => (turned.push(e.position), { ...e })));
      recent.add([event(1), event(2, Other.type), event(3)]);
      expect(turned).to.deep.equal([]);
      const [first] = recent.read({ after: 0, upTo: 3, filter: { eventTypes: [Happened.type] } })!;
      const [again] = recent.read({ after: 0, upTo: 1 })!;
      expect(turned).to.deep.equal([1, 3]);
      expect(again).to.equal(first);
    });

    it('its events are frozen: readers share them', () => {
      const recent = new RecentEvents(codec((e) => e));
      recent.add([event(1)]);
      const [shared] = recent.read({ after: 0, upTo: 1 })!;
      expect(() => ((shared!.data as { n: number }).n = 2)).to.throw(TypeError);
    });
  });

  describe('in the store, with another process appending to the same log', () => {
    const log = sharedSqliteLog('seams-recent-');

    it('reads the same events from memory as from the file, and reads what the other process appended from the file', async () => {
      const open = () => log.open({ registry: testRegistry() });
      const here = await open();
      const other = await open();
      await here.append('test.a-1', [happened(1), happened(2)]);
      await other.append('test.b-1', [{ type: Other.type, data: { label: 'theirs' } }]);
      await here.append('test.a-1', [happened(3)], { expectedRevision: 1 });
      await here.append('test.a-2', [happened(4), { type: Other.type, data: { label: 'ours' } }]);
      const head = await here.headPosition();
      expect(head).to.equal(6);

      // A third process, which appended nothing, reads everything from the file.
      const reader = await open();
      const reads: ReadAllOptions[] = [
        { after: 0, upTo: head },
        { after: 3, upTo: head },
        { after: 4, upTo: head, filter: { eventTypes: [Other.type] } },
        { after: 1, upTo: head, filter: { streamPrefixes: ['test.b'] } },
        { after: 0, upTo: head, maxCount: 2 },
      ];
      for (const options of reads) expect(await here.readAll(options), JSON.stringify(options)).to.deep.equal(await reader.readAll(options));

      // Positions 4-6 are this process's last run: answered from memory (they read even after the rows are gone from the file);
      // position 3 is the other process's: read from the file.
      const raw = openSqlite({ filename: log.filename });
      await raw('events').where('position', '>=', 3).delete();
      await raw.destroy();
      expect((await here.readAll({ after: 3, upTo: 6 })).map((e) => e.position)).to.deep.equal([4, 5, 6]);
      expect((await here.readAll({ after: 1, upTo: 6 })).map((e) => e.position), 'a range reaching before the run is read from the file').to.deep.equal([2]);
    });
  });
});
