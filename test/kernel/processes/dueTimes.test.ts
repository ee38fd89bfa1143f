import { expect } from 'chai';
import { DueTimes } from '../../../src/kernel/processes/dueTimes.js';

describe('DueTimes: how long an idle process loop sleeps', () => {
  it('until the earliest retry or timer, never past the poll interval, forgetting the retries the pass saw due', () => {
    const due = new DueTimes();
    expect(due.sleepMs(1000, 0, 0)).to.equal(1000);
    due.retryAt(700);
    due.retryAt(300);
    expect(due.sleepMs(1000, 0, 0)).to.equal(300);
    due.nextTimer = 200;
    expect(due.sleepMs(1000, 0, 0)).to.equal(200);
    due.nextTimer = undefined;
    // A pass that began looking at 250 did not see the retry due at 300: if it ends after 300, the loop goes again at once.
    expect(due.sleepMs(1000, 250, 320)).to.equal(0);
    expect(due.sleepMs(1000, 300, 300), 'seen by a pass that began at 300').to.equal(400);
    expect(due.sleepMs(100, 300, 300)).to.equal(100);
    expect(due.sleepMs(1000, 5000, 5000)).to.equal(1000);
  });
});
