import { createHash } from 'node:crypto';
import { ConflictError, WrongExpectedRevisionError, decideAndAppend, newEvent, type Decider, type ModuleEvents } from '../../kernel/index.js';
import { UserRegistered } from './contracts.js';
import { PasswordSet, type AccountEvent } from './events.js';

/**
 * One stream per email (`identity.account-<sha256 of the email>`): appending with `no_stream`
 * makes "email taken" a revision conflict instead of a race between two registrations.
 */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();
export const accountId = (email: string) => createHash('sha256').update(normalizeEmail(email)).digest('hex');

export interface Account {
  userId: string | null;
  passwordHash: string | null;
}

export interface Register {
  userId: string;
  email: string;
  displayName: string;
  passwordHash: string;
}

export const account: Decider<Account, Register, AccountEvent> = {
  initialState: () => ({ userId: null, passwordHash: null }),
  evolve(state, event) {
    if (event.type === UserRegistered.type) return { ...state, userId: event.data.userId };
    return { ...state, passwordHash: event.data.passwordHash };
  },
  decide(command, state) {
    if (state.userId) throw new ConflictError('this email is already registered');
    return [
      newEvent(UserRegistered, { userId: command.userId, email: normalizeEmail(command.email), displayName: command.displayName }),
      newEvent(PasswordSet, { userId: command.userId, passwordHash: command.passwordHash }),
    ];
  },
};

/** Registers an account on its email's stream; two registrations of one email at once: the loser's append conflicts (409). */
export async function handleAccount(events: ModuleEvents, command: Register) {
  try {
    return await decideAndAppend(events, events.stream('account', accountId(command.email)), account, command, { metadata: { actor: command.userId } });
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) throw new ConflictError('this email is already registered');
    throw error;
  }
}
