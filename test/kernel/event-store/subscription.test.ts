import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { sleepUntilAppended } from '../../../src/kernel/event-store/subscription.js';

/** Which of the sleep, or a 1 s guard, ends first: 'woke' or 'still asleep'. */
async function outcome(sleeping: Promise<void>, guardMs = 1000): Promise<string> {
  let guard: NodeJS.Timeout | undefined;
  const asleep = new Promise<string>((resolve) => (guard = setTimeout(() => resolve('still asleep'), guardMs)));
  try {
    return await Promise.race([sleeping.then(() => 'woke'), asleep]);
  } finally {
    clearTimeout(guard);
  }
}

describe('sleeping until an append (sleepUntilAppended)', () => {
  it('wakes on a commit past `after`, not on one at or below it, and leaves no listener behind', async () => {
    const appended = new EventEmitter();
    const sleeping = sleepUntilAppended(appended, 10, 60_000);
    appended.emit('appended', 9);
    appended.emit('appended', 10);
    expect(await outcome(sleeping, 50)).to.equal('still asleep');
    appended.emit('appended', 11);
    expect(await outcome(sleeping)).to.equal('woke');
    expect(appended.listenerCount('appended')).to.equal(0);
  });

  it('wakes when the time is up, or the signal aborts (at once for one aborted already), and leaves no listener behind', async () => {
    const appended = new EventEmitter();
    expect(await outcome(sleepUntilAppended(appended, 0, 20))).to.equal('woke');
    const abort = new AbortController();
    const sleeping = sleepUntilAppended(appended, 0, 60_000, abort.signal);
    abort.abort();
    expect(await outcome(sleeping)).to.equal('woke');
    expect(await outcome(sleepUntilAppended(appended, 0, 60_000, abort.signal))).to.equal('woke');
    expect(appended.listenerCount('appended')).to.equal(0);
  });
});
