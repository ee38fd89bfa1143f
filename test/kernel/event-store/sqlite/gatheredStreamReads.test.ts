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

describe('stream reads gathered while the readers are busy (SQLite)', () => {
  it('sends a read at once while a reader is free; reads asked for while both are busy go together in one query, each answered from its own revision', async () => {
    const log: Row[] = [
      ...[0, 1, 2, 3].map((revision) => ({ stream: 'a', revision })),
      ...[0, 1].map((revision) => ({ stream: 'b', revision })),
    ];
    const queries: [string, number][][] = [];
    const release: (() => void)[] = [];
    const reads = new GatheredStreamReads<Row>(async (from) => {
      queries.push(from);
      await new Promise<void>((resolve) => release.push(resolve));
      return log.filter((row) => from.some(([stream, revision]) => row.stream === stream && row.revision >= revision));
    });
    const a2 = reads.read('a', 2);
    const b0 = reads.read('b', 0);
    expect(queries, 'two readers: both reads went at once').to.deep.equal([[['a', 2]], [['b', 0]]]);
    const waiting = [reads.read('missing', 0), reads.read('a', 3), reads.read('a', 0)];
    expect(queries, 'both busy: the others wait').to.have.length(2);
    release.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(queries[2], 'the waiting reads as one query, a stream from the lowest revision asked').to.deep.equal([['missing', 0], ['a', 0]]);
    release.shift()!();
    release.shift()!();
    expect((await a2).map((r) => r.revision)).to.deep.equal([2, 3]);
    expect((await b0).map((r) => r.revision)).to.deep.equal([0, 1]);
    const [none, a3, a0] = await Promise.all(waiting);
    expect(none).to.deep.equal([]);
    expect(a3!.map((r) => r.revision)).to.deep.equal([3]);
    expect(a0!.map((r) => r.revision)).to.deep.equal([0, 1, 2, 3]);
    // Nothing is kept: a later read asks again and sees what was appended since.
    log.push({ stream: 'b', revision: 2 });
    const later = reads.read('b', 1);
    release.shift()!();
    expect((await later).map((r) => r.revision)).to.deep.equal([1, 2]);
    expect(queries).to.have.length(4);
  });

  it('fails every read of a failing query, and the next turn asks again', async () => {
    let fail = true;
    const reads = new GatheredStreamReads<Row>(async () => {
      if (fail) throw new Error('the database is away');
      return [];
    });
    const outcomes = await Promise.allSettled([reads.read('a', 0), reads.read('b', 0), reads.read('c', 0), reads.read('d', 0)]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected', 'rejected', 'rejected']);
    fail = false;
    expect(await reads.read('a', 0)).to.deep.equal([]);
  });

  it('in the store: reads of many streams at once answer what reads one at a time answer', async () => {
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
