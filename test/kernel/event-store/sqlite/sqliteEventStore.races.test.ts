import { expect } from 'chai';
import { z } from 'zod';
import { defineEvent, EventRegistry } from '../../../../src/kernel/host.js';
import { sharedSqliteLog } from '../../../support/sharedSqliteLog.js';

/**
 * Processes sharing one SQLite log: a one-statement append reads the head and inserts without the
 * write lock, and loses when another process appends in between. Chaos seed 1 (SQLite, ten
 * minutes): a loaded process lost ten races in a row and answered 500 (UNIQUE constraint failed:
 * events.position). After two lost races the append decides under the write lock.
 */
const Noted = defineEvent('race.Noted', 1, z.object({ by: z.string() }));

describe('SQLite log: an append that keeps losing races to another process', () => {
  const log = sharedSqliteLog('seams-races-');

  it('takes the write lock after two lost races and lands', async () => {
    const registry = new EventRegistry([Noted]);
    const rival = await log.open({ registry });
    let raced = 0;
    // Every time the append is between its read of the head and its insert, the rival appends first.
    const loser = await log.open({
      registry,
      beforeUnlockedInsert: async () => {
        raced++;
        await rival.append(`race.note-rival-${raced}`, [{ type: Noted.type, data: { by: 'rival' } }]);
      },
    });
    const result = await loser.append('race.note-loser', [{ type: Noted.type, data: { by: 'loser' } }]);
    expect(raced, 'lost races before taking the lock').to.equal(2);
    expect(result.position).to.equal(3);
    const events = await loser.readAll();
    expect(events.map((e) => [e.position, e.stream])).to.deep.equal([
      [1, 'race.note-rival-1'],
      [2, 'race.note-rival-2'],
      [3, 'race.note-loser'],
    ]);
  });
});
