import { answerQuery, defineModule, revokedSessions } from '../../kernel/index.js';
import { LoggedOut } from '../identity/contracts.js';
import { GetProfile, publicEvents } from './contracts.js';
import { findProfile, profiles } from './profiles.js';
import { getProfileRoute, updateProfileRoute } from './routes.js';

/** users: public profiles, created from registrations and changed by their owners. */
export const users = defineModule({
  name: 'users',
  publicEvents,
  streams: ['profile'],
  projections: [profiles, revokedSessions(LoggedOut)],
  queries: [
    answerQuery(GetProfile, async (ctx, { userId }) => {
      const found = await findProfile(ctx, userId);
      return found && { userId: found.userId, displayName: found.displayName, bio: found.bio };
    }),
  ],
  routes: [getProfileRoute, updateProfileRoute],
});
