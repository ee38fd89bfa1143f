import { createHash } from 'node:crypto';
import { ConflictError, type Decider, type RecordedEvent } from '../../kernel/index.js';
import { UserRegistered } from './contracts.js';
import { PasswordSet } from './privateEvents.js';

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

export const account: Decider<Account, Register> = {
  initialState: () => ({ userId: null, passwordHash: null }),
  evolve(state, event: RecordedEvent<any>) {
    if (event.type === UserRegistered.type) return { ...state, userId: event.data.userId };
    if (event.type === PasswordSet.type) return { ...state, passwordHash: event.data.passwordHash };
    return state;
  },
  decide(command, state) {
    if (state.userId) throw new ConflictError('this email is already registered');
    return [
      { type: UserRegistered.type, data: { userId: command.userId, email: normalizeEmail(command.email), displayName: command.displayName } },
      { type: PasswordSet.type, data: { userId: command.userId, passwordHash: command.passwordHash } },
    ];
  },
};
