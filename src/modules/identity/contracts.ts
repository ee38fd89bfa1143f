import { z } from 'zod';
import { defineEvent } from '../../kernel/index.js';

/**
 * identity's public face: registrations, logins and logouts, operators granted and revoked, and
 * service tokens revoked. No password, hash or token ever appears in these events; other modules
 * learn only ids, emails and display names — and what to reject (the kernel's access replica).
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

/** After this event every module rejects the session's token (each keeps an access replica). */
export const LoggedOut = defineEvent('identity.LoggedOut', 1, z.object({ userId: z.uuid(), sessionId: z.uuid() }));

/** The user is an operator: tokens issued from now on carry the role (on the user's roles stream). */
export const OperatorGranted = defineEvent('identity.OperatorGranted', 1, z.object({ userId: z.uuid() }));

/** The role is taken back: every module rejects the user's tokens issued before this event (as after a logout). */
export const OperatorRevoked = defineEvent('identity.OperatorRevoked', 1, z.object({ userId: z.uuid() }));

/** After this event every module rejects the service token. */
export const ServiceTokenRevoked = defineEvent('identity.ServiceTokenRevoked', 1, z.object({ tokenId: z.uuid() }));

export const publicEvents = [UserRegistered, LoginSucceeded, LoggedOut, OperatorGranted, OperatorRevoked, ServiceTokenRevoked];
