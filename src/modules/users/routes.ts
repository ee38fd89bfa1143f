import { z } from 'zod';
import { ForbiddenError, NotFoundError, ok, route } from '../../kernel/index.js';
import { profile } from './contracts.js';
import { handleProfile } from './profile.js';
import { findProfile } from './views/profiles.js';

const params = z.object({ userId: z.uuid() });

export const getProfileRoute = route.get('/:userId', {
  summary: "a user's public profile (ETag: its version)",
  access: 'anyone',
  params,
  responses: { 200: profile },
  async handle({ ctx, params }) {
    const found = await findProfile(ctx, params.userId);
    if (!found) throw new NotFoundError(`no user ${params.userId}`);
    return ok({ userId: found.userId, displayName: found.displayName, bio: found.bio }, { revision: found.version });
  },
});

export const updateProfileRoute = route.patch('/:userId', {
  summary: 'change your own profile; If-Match: the version you read',
  access: ['member'],
  params,
  body: z
    .object({ displayName: z.string().trim().min(1).max(100).optional(), bio: z.string().max(2000).optional() })
    .refine((b) => b.displayName !== undefined || b.bio !== undefined, 'give displayName or bio'),
  responses: { 200: profile },
  async handle({ ctx, params, body, caller, ifMatch }) {
    if (caller.userId !== params.userId) throw new ForbiddenError('you may change only your own profile');
    // The decision reads the profile's own stream, not the read model, which may not have applied
    // the write this client made a moment ago: its ETag must be honoured. The view only gives a
    // profile never changed (as registered).
    const registered = await findProfile(ctx, params.userId);
    const { appended, result } = await handleProfile(ctx.events, { userId: params.userId, ...body, registered, ifMatch });
    return ok(appended[0]!.data, { position: result!.position, revision: result!.nextRevision + 1 });
  },
});

export const routes = [getProfileRoute, updateProfileRoute];
