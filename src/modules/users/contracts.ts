import { z } from 'zod';
import { copy, defineEvent, defineQuery, replica } from '../../kernel/index.js';
import { UserRegistered } from '../identity/contracts.js';

/** users' public face: profile changes, a synchronous profile lookup for strict checks, and a ready-made copy of users' names. */
export const ProfileUpdated = defineEvent(
  'users.ProfileUpdated',
  1,
  z.object({ userId: z.uuid(), displayName: z.string(), bio: z.string() }),
);

export const profile = z.object({ userId: z.uuid(), displayName: z.string(), bio: z.string() });

/** The owner's answer, now: null when no such user. */
export const GetProfile = defineQuery('users.GetProfile', z.object({ userId: z.string() }), profile.nullable());

export const publicEvents = [ProfileUpdated];

/**
 * Who the users are and what they are called, as another module keeps it: a replica that module
 * adds to its own projections (in its own database), fed by the public events alone. Written
 * once here, by the owner of the data, rather than by each module that needs it.
 */
export const userNamesReplica = replica({
  name: 'users_replica',
  table: 'user_names',
  row: z.object({ userId: z.string(), displayName: z.string() }),
  key: 'userId',
  from: [
    copy(UserRegistered, (e) => ({ userId: e.data.userId, displayName: e.data.displayName }), 'ignore'),
    copy(ProfileUpdated, (e) => ({ userId: e.data.userId, displayName: e.data.displayName })),
  ],
});
