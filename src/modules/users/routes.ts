import { z } from 'zod';
import { ForbiddenError, NotFoundError, PreconditionFailedError, ok, route } from '../../kernel/index.js';
import { ProfileUpdated, profile } from './contracts.js';
import { findProfile } from './profiles.js';

const params = z.object({ userId: z.uuid() });

export const getProfileRoute = route.get('/:userId', {
  summary: "a user's public profile (ETag: its version)",
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
  auth: true,
  params,
  body: z
    .object({ displayName: z.string().trim().min(1).max(100).optional(), bio: z.string().max(2000).optional() })
    .refine((b) => b.displayName !== undefined || b.bio !== undefined, 'give displayName or bio'),
  responses: { 200: profile },
  async handle({ ctx, params, body, caller, ifMatch, meta }) {
    if (caller!.userId !== params.userId) throw new ForbiddenError('you may change only your own profile');
    // The decision reads the profile's own stream (its revision is version - 1), not the read model,
    // which may not have applied the write this client made a moment ago: its ETag must be honoured.
    const stream = ctx.events.stream('profile', params.userId);
    const [last] = await ctx.events.readStream(stream, { direction: 'backwards', maxCount: 1 });
    const current = last ? { ...(last.data as z.output<typeof profile>), version: last.revision + 1 } : await findProfile(ctx, params.userId);
    if (!current) throw new NotFoundError(`no user ${params.userId}`);
    if (ifMatch !== undefined && ifMatch !== current.version) {
      throw new PreconditionFailedError(`If-Match: version ${ifMatch} is not the current version ${current.version}`);
    }
    const next = { userId: current.userId, displayName: body.displayName ?? current.displayName, bio: body.bio ?? current.bio };
    const { position, nextRevision } = await ctx.events.append(stream, [{ type: ProfileUpdated.type, data: next }], {
      expectedRevision: current.version === 0 ? 'no_stream' : current.version - 1,
      metadata: { correlationId: meta.correlationId, actor: caller!.userId },
    });
    return ok(next, { position, revision: nextRevision + 1 });
  },
});
