import { z } from 'zod';
import { defineEvent, type RecordedEventOf } from '../../kernel/index.js';
import { LoggedOut, LoginSucceeded, OperatorGranted, OperatorRevoked, ServiceTokenRevoked, UserRegistered } from './contracts.js';

/**
 * Every event of identity. An account's stream (`identity.account-<sha256 of the email>`):
 * UserRegistered (public) and PasswordSet; a session's stream (`identity.session-<id>`):
 * LoginSucceeded and LoggedOut (public); a user's roles (`identity.roles-<userId>`):
 * OperatorGranted and OperatorRevoked (public); a service token's (`identity.serviceToken-<id>`):
 * ServiceTokenIssued and ServiceTokenRevoked (public).
 */

/** The password hash lives only in identity's private events, marked secret so admin reads redact it. */
export const PasswordSet = defineEvent('identity.PasswordSet', 1, z.object({ userId: z.uuid(), passwordHash: z.string().meta({ secret: true }) }));

/** A service token for a machine: what it may do and until when (the token itself is shown once and kept nowhere). */
export const ServiceTokenIssued = defineEvent(
  'identity.ServiceTokenIssued',
  1,
  z.object({ tokenId: z.uuid(), name: z.string(), scopes: z.array(z.string()), expiresAt: z.string(), issuedBy: z.string() }),
);

export const privateEvents = [PasswordSet, ServiceTokenIssued];
export const accountEvents = [UserRegistered, PasswordSet];
export type AccountEvent = RecordedEventOf<(typeof accountEvents)[number]>;
export const sessionEvents = [LoginSucceeded, LoggedOut];
export type SessionEvent = RecordedEventOf<(typeof sessionEvents)[number]>;
export const rolesEvents = [OperatorGranted, OperatorRevoked];
export type RolesEvent = RecordedEventOf<(typeof rolesEvents)[number]>;
export const serviceTokenEvents = [ServiceTokenIssued, ServiceTokenRevoked];
export type ServiceTokenEvent = RecordedEventOf<(typeof serviceTokenEvents)[number]>;
