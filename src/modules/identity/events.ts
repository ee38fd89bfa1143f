import { z } from 'zod';
import { defineEvent, type RecordedEventOf } from '../../kernel/index.js';
import { LoggedOut, LoginSucceeded, UserRegistered } from './contracts.js';

/**
 * Every event of identity. An account's stream (`identity.account-<sha256 of the email>`):
 * UserRegistered (public) and PasswordSet; a session's stream (`identity.session-<id>`):
 * LoginSucceeded and LoggedOut (public).
 */

/** The password hash lives only in identity's private events, marked secret so admin reads redact it. */
export const PasswordSet = defineEvent('identity.PasswordSet', 1, z.object({ userId: z.uuid(), passwordHash: z.string().meta({ secret: true }) }));

export const privateEvents = [PasswordSet];
export const accountEvents = [UserRegistered, PasswordSet];
export type AccountEvent = RecordedEventOf<(typeof accountEvents)[number]>;
export const sessionEvents = [LoginSucceeded, LoggedOut];
export type SessionEvent = RecordedEventOf<(typeof sessionEvents)[number]>;
