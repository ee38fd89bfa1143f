import { ConflictError, NotFoundError, deciderSpec as spec } from '../../../src/kernel/host.js';
import { LoggedOut, LoginSucceeded } from '../../../src/modules/identity/contracts.js';
import { session } from '../../../src/modules/identity/session.js';

const sessionId = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const userId = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
const started = { type: LoginSucceeded.type, data: { userId, sessionId, expiresAt: '2026-12-01T00:00:00.000Z' } };
const ended = { type: LoggedOut.type, data: { userId, sessionId } };

describe('identity: session', () => {
  it('starts once, with a login', () => {
    spec(session).given([]).when({ kind: 'start', sessionId, userId, expiresAt: started.data.expiresAt }).then([started]);
    spec(session).given([started]).when({ kind: 'start', sessionId, userId, expiresAt: started.data.expiresAt }).thenThrows(ConflictError);
  });

  it('ends once: a second logout decides nothing', () => {
    spec(session).given([started]).when({ kind: 'end', sessionId, userId }).then([ended]);
    spec(session).given([started, ended]).when({ kind: 'end', sessionId, userId }).then([]);
    spec(session).given([]).when({ kind: 'end', sessionId, userId }).thenThrows(NotFoundError);
  });
});
