import { answerQuery } from '../../kernel/index.js';
import { GetProfile } from './contracts.js';
import { findProfile } from './views/profiles.js';

/** The queries users answers: the owner's answer, now (null: no such user). */
export const queries = [
  answerQuery(GetProfile, async (ctx, { userId }) => {
    const found = await findProfile(ctx, userId);
    return found && { userId: found.userId, displayName: found.displayName, bio: found.bio };
  }),
];
