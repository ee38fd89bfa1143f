import { z } from 'zod';
import { defineEvent } from '../../kernel/index.js';

/**
 * identity's public face: registrations, logins and logouts. No password, hash or token ever
 * appears in these events; other modules learn only ids, emails and display names.
 */
export const UserRegistered = defineEvent(
  'identity.UserRegistered',
  1,
  z.object({ userId: z.uuid(), email: z.string(), displayName: z.string() }),
);

export const LoginSucceeded = defineEvent(
  'identity.LoginSucceeded',
  1,
  z.object({ userId: z.uuid(), sessionId: z.uuid(), expiresAt: z.string() }),
);

/** After this event every module rejects the session's token (each keeps a replica of ended sessions). */
export const LoggedOut = defineEvent('identity.LoggedOut', 1, z.object({ userId: z.uuid(), sessionId: z.uuid() }));

export const publicEvents = [UserRegistered, LoginSucceeded, LoggedOut];
