import { join } from 'node:path';
import { expect } from 'chai';
import { SqliteEventStore } from '../../../../src/kernel/host.js';
import { GatheredStreamReads } from '../../../../src/kernel/event-store/sqlite/gatheredStreamReads.js';
import { happened, testRegistry } from '../../../support/testEvents.js';
import { tempDir } from '../../../support/tempDir.js';

interface Row {
  stream: string;
  revision: number;
}

describe('stream reads gathered per turn (SQLite)', () => {
  it('asks once for the reads of one turn, each stream from the lowest revision asked, and answers each read from its own revision', async () => {
    const log: Row[] = [
      ...[0, 1, 2, 3].map((revision) => ({ stream: 'a', revision })),
      ...[0, 1].map((revision) => ({ stream: 'b', revision })),
    ];
    const queries: [string, number][][] = [];
    const reads = new GatheredStreamReads<Row>(async (from) => {
      queries.push(from);
      return log.filter((row) => from.some(([stream, revision]) => row.stream === stream && row.revision >= revision));
    });
    const [a2, b0, none, a0] = await Promise.all([reads.read('a', 2), reads.read('b', 0), reads.read('missing', 0), reads.read('a', 0)]);
    expect(queries).to.deep.equal([[['a', 0], ['b', 0], ['missing', 0]]]);
    expect(a2!.map((r) => r.revision)).to.deep.equal([2, 3]);
    expect(a0!.map((r) => r.revision)).to.deep.equal([0, 1, 2, 3]);
    expect(b0!.map((r) => r.revision)).to.deep.equal([0, 1]);
    expect(none).to.deep.equal([]);
    // A later turn asks again: nothing is kept.
    log.push({ stream: 'b', revision: 2 });
    expect((await reads.read('b', 1)).map((r) => r.revision)).to.deep.equal([1, 2]);
    expect(queries).to.have.length(2);
  });

  it('fails every read of a failing query, and the next turn asks again', async () => {
    let fail = true;
    const reads = new GatheredStreamReads<Row>(async () => {
      if (fail) throw new Error('the database is away');
      return [];
    });
    const outcomes = await Promise.allSettled([reads.read('a', 0), reads.read('b', 0)]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected']);
    fail = false;
    expect(await reads.read('a', 0)).to.deep.equal([]);
  });

  it('in the store: reads of many streams in one turn answer what reads one at a time answer', async () => {
    const dir = await tempDir('seams-gathered-');
    const store = await SqliteEventStore.open({ filename: join(dir.path, 'events.sqlite'), registry: testRegistry() });
    try {
      for (let round = 0; round < 3; round++) for (let s = 0; s < 5; s++) await store.append(`things-${s}`, [happened(round * 10 + s), happened(round * 10 + s + 100)]);
      const asked = Array.from({ length: 5 }, (_, s) => [`things-${s}`, s] as const);
      const together = await Promise.all([...asked, ['things-none', 0] as const].map(([stream, from]) => store.readStream(stream, { fromRevision: from })));
      const alone: unknown[] = [];
      for (const [stream, from] of [...asked, ['things-none', 0] as const]) alone.push(await store.readStream(stream, { fromRevision: from }));
      expect(together).to.deep.equal(alone);
      expect(together.map((events) => events.length)).to.deep.equal([6, 5, 4, 3, 2, 0]);
      expect(together[2]!.map((e) => e.revision)).to.deep.equal([2, 3, 4, 5]);
      expect(together[2]!.every((e) => e.stream === 'things-2')).to.equal(true);
    } finally {
      await store.close();
      await dir.cleanup();
    }
  });
});
