import { expect } from 'chai';
import { ConflictError, WrongExpectedRevisionError, decideAndAppend, type Decider, type ModuleEvents } from '../../../src/kernel/index.js';
import type { RecordedEvent } from '../../../src/kernel/types/eventStore.js';

/** Streams in memory, with the log's expected-revision check; counts the reads. */
function memoryEvents() {
  const streams = new Map<string, RecordedEvent[]>();
  const counts = { reads: 0 };
  const events: ModuleEvents = {
    stream: (kind, id) => `test.${kind}-${id}`,
    async readStream(stream) {
      counts.reads++;
      return streams.get(stream) ?? [];
    },
    async append(stream, list, options = {}) {
      const past = streams.get(stream) ?? [];
      const actual = past.length - 1;
      const expected = options.expectedRevision;
      if ((expected === 'no_stream' && actual !== -1) || (typeof expected === 'number' && expected !== actual)) {
        throw new WrongExpectedRevisionError(stream, String(expected), String(actual));
      }
      const recorded = list.map((e, i) => ({ ...e, revision: actual + 1 + i }) as unknown as RecordedEvent);
      streams.set(stream, [...past, ...recorded]);
      return { position: 1, nextRevision: actual + list.length } as never;
    },
  };
  return { events, streams, counts };
}

type Opened = { opened: boolean };
const account: Decider<Opened, { kind: 'open' }, any> = {
  initialState: () => ({ opened: false }),
  evolve: () => ({ opened: true }),
  decide(_command, state) {
    if (state.opened) throw new ConflictError('the account exists');
    return [{ type: 'test.Opened', data: {} }];
  },
};

describe('decideAndAppend with newStream', () => {
  it('decides on the initial state without reading, and appends with no_stream', async () => {
    const { events, streams, counts } = memoryEvents();
    const decision = await decideAndAppend(events, 'test.account-1', account, { kind: 'open' }, { newStream: true });
    expect(counts.reads).to.equal(0);
    expect(decision.revision).to.equal(-1);
    expect(streams.get('test.account-1')).to.have.length(1);
  });

  it('a stream that exists after all is a conflict, decided again on what the stream holds', async () => {
    const { events, counts } = memoryEvents();
    await decideAndAppend(events, 'test.account-2', account, { kind: 'open' });
    const reads = counts.reads;
    const again = await decideAndAppend(events, 'test.account-2', account, { kind: 'open' }, { newStream: true, conflictRetries: 3 }).catch((e: unknown) => e);
    expect(again).to.be.instanceOf(ConflictError);
    expect(counts.reads - reads, 'only the second attempt reads').to.equal(1);
    const unretried = await decideAndAppend(events, 'test.account-2', account, { kind: 'open' }, { newStream: true }).catch((e: unknown) => e);
    expect(unretried).to.be.instanceOf(WrongExpectedRevisionError);
  });
});
