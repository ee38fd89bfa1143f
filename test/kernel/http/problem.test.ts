import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { expectProblem } from '../../support/http.js';
import type { Reply } from '../../support/httpHarness.js';
import { quietLog } from '../../support/runtimeHarness.js';
import { problemHandler } from '../../../src/kernel/http/problem.js';

/**
 * A request that fails because the database cannot be reached (PostgreSQL stopped or restarting)
 * answers 503 problem+json with Retry-After: the client may try again. Chaos seed 14 saw members
 * answer 500 "the server failed to handle this request" while PostgreSQL was down. So does one
 * that found the database busy (contention is no fault of the request).
 */
describe('problem answers for a database that cannot be reached or is busy', () => {
  const failures: Record<string, Error> = {
    'connection refused': Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    'server shutting down (57P01)': Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    'server starting (57P03)': Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    'connection cut': new Error('Connection terminated unexpectedly'),
    'pool exhausted': new Error('Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?'),
    // Busy, not away: another process holds the write lock, or PostgreSQL chose this transaction to fail.
    'SQLite write lock held past busy_timeout (SQLITE_BUSY)': Object.assign(new Error('insert into `x` - SQLITE_BUSY: database is locked'), { code: 'SQLITE_BUSY', errno: 5 }),
    'PostgreSQL deadlock victim (40P01)': Object.assign(new Error('deadlock detected'), { code: '40P01' }),
    'PostgreSQL serialization failure (40001)': Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' }),
  };

  const answer = async (error: Error): Promise<Reply> => {
    const app = express();
    app.get('/x', () => {
      throw error;
    });
    app.use(problemHandler(quietLog));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((done) => server.once('listening', done));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
      const text = await response.text();
      return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
    } finally {
      await new Promise((done) => server.close(done));
    }
  };

  for (const [name, error] of Object.entries(failures)) {
    it(`${name}: 503 with Retry-After`, async () => {
      const reply = await answer(error);
      expectProblem(reply, 503);
      expect(reply.headers.get('retry-after')).to.match(/^\d+$/);
    });
  }

  it('a failing statement is still a 500', async () => {
    expectProblem(await answer(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' })), 500);
  });
});
