import { ConflictError, NotFoundError, decideAndAppend, newEvent, type Decider, type ModuleEvents } from '../../kernel/index.js';
import { LoggedOut, LoginSucceeded } from './contracts.js';
import type { SessionEvent } from './events.js';

/** A session's stream (`identity.session-<sessionId>`): started by a login, ended once by a logout. */
export interface Session {
  userId: string | null;
  ended: boolean;
}

export type SessionCommand = { kind: 'start'; sessionId: string; userId: string; expiresAt: string } | { kind: 'end'; sessionId: string; userId: string };

export const session: Decider<Session, SessionCommand, SessionEvent> = {
  initialState: () => ({ userId: null, ended: false }),
  evolve(state, event) {
    return event.type === LoginSucceeded.type ? { userId: event.data.userId, ended: false } : { ...state, ended: true };
  },
  decide(command, state) {
    if (command.kind === 'start') {
      if (state.userId) throw new ConflictError(`session ${command.sessionId} exists already`);
      return [newEvent(LoginSucceeded, { userId: command.userId, sessionId: command.sessionId, expiresAt: command.expiresAt })];
    }
    if (!state.userId) throw new NotFoundError(`no session ${command.sessionId}`);
    return state.ended ? [] : [newEvent(LoggedOut, { userId: command.userId, sessionId: command.sessionId })];
  },
};

export const handleSession = (events: ModuleEvents, command: SessionCommand) =>
  decideAndAppend(events, events.stream('session', command.sessionId), session, command, { metadata: { actor: command.userId } });
