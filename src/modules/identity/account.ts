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
  kind: 'register';
  userId: string;
  email: string;
  displayName: string;
  passwordHash: string;
}

/** A new hash of the same password, made with stronger parameters (at a login). */
export interface Rehash {
  kind: 'rehash';
  email: string;
  passwordHash: string;
}

export type AccountCommand = Register | Rehash;

export const account: Decider<Account, AccountCommand, AccountEvent> = {
  initialState: () => ({ userId: null, passwordHash: null }),
  evolve(state, event) {
    if (event.type === UserRegistered.type) return { ...state, userId: event.data.userId };
    return { ...state, passwordHash: event.data.passwordHash };
  },
  decide(command, state) {
    if (command.kind === 'rehash') return state.userId ? [newEvent(PasswordSet, { userId: state.userId, passwordHash: command.passwordHash })] : [];
    if (state.userId) throw new ConflictError('this email is already registered');
    return [
      newEvent(UserRegistered, { userId: command.userId, email: normalizeEmail(command.email), displayName: command.displayName }),
      newEvent(PasswordSet, { userId: command.userId, passwordHash: command.passwordHash }),
    ];
  },
};

/** Decides on an account's email stream; two registrations of one email at once: the loser's append conflicts (409). */
export async function handleAccount(events: ModuleEvents, command: AccountCommand) {
  try {
    const actor = command.kind === 'register' ? { metadata: { actor: command.userId } } : {};
    return await decideAndAppend(events, events.stream('account', accountId(command.email)), account, command, actor);
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) throw new ConflictError('this email is already registered');
    throw error;
  }
}
