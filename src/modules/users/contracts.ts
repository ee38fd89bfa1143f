import { z } from 'zod';
import { defineEvent, defineQuery } from '../../kernel/index.js';

/** users' public face: profile changes, and a synchronous profile lookup for strict checks. */
export const ProfileUpdated = defineEvent(
  'users.ProfileUpdated',
  1,
  z.object({ userId: z.uuid(), displayName: z.string(), bio: z.string() }),
);

export const profile = z.object({ userId: z.uuid(), displayName: z.string(), bio: z.string() });

/** The owner's answer, now: null when no such user. */
export const GetProfile = defineQuery('users.GetProfile', z.object({ userId: z.string() }), profile.nullable());

export const publicEvents = [ProfileUpdated];
