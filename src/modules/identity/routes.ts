import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  ConflictError,
  UnauthorizedError,
  WrongExpectedRevisionError,
  created,
  decideAndAppend,
  loadState,
  noContent,
  route,
} from '../../kernel/index.js';
import { account, accountId } from './account.js';
import { LoggedOut, LoginSucceeded } from './contracts.js';
import { checkNotLocked, clearFailures, recordFailure } from './loginThrottle.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';

const SESSION_TTL_MS = 24 * 60 * 60_000;
const email = z.email().max(254);
const password = z.string().min(8).max(200);

export const registerRoute = route.post('/registrations', {
  summary: 'register a user: 201 with the new userId, 409 when the email is taken',
  body: z.object({ email, password, displayName: z.string().trim().min(1).max(100) }),
  responses: { 201: z.object({ userId: z.uuid() }) },
  async handle({ ctx, body, meta }) {
    const userId = randomUUID();
    const stream = ctx.events.stream('account', accountId(body.email));
    try {
      const { result } = await decideAndAppend(ctx.events, stream, account, { userId, email: body.email, displayName: body.displayName, passwordHash: await hashPassword(body.password) }, { metadata: { correlationId: meta.correlationId, actor: userId } });
      return created({ userId }, { position: result!.position });
    } catch (error) {
      // Two registrations of one email at once: the loser's no_stream append conflicts.
      if (error instanceof WrongExpectedRevisionError) throw new ConflictError('this email is already registered');
      throw error;
    }
  },
});

export const loginRoute = route.post('/sessions', {
  summary: 'log in: 201 with a bearer token; 401 bad credentials; 429 after repeated failures',
  body: z.object({ email, password: z.string().max(200) }),
  responses: { 201: z.object({ token: z.string(), sessionId: z.uuid(), userId: z.uuid(), expiresAt: z.string() }) },
  async handle({ ctx, body, meta }) {
    const id = accountId(body.email);
    await checkNotLocked(ctx, id);
    const { state } = await loadState(ctx.events, ctx.events.stream('account', id), account);
    const valid = await verifyPassword(body.password, state.passwordHash ?? (await decoyHash));
    if (!valid || !state.userId) {
      await recordFailure(ctx, id);
      throw new UnauthorizedError('wrong email or password');
    }
    await clearFailures(ctx, id);
    const sessionId = randomUUID();
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    const { position } = await ctx.events.append(
      ctx.events.stream('session', sessionId),
      [{ type: LoginSucceeded.type, data: { userId: state.userId, sessionId, expiresAt: expiresAt.toISOString() } }],
      { expectedRevision: 'no_stream', metadata: { correlationId: meta.correlationId, actor: state.userId } },
    );
    const token = await ctx.tokens.issue({ userId: state.userId, sessionId }, expiresAt);
    return created({ token, sessionId, userId: state.userId, expiresAt: expiresAt.toISOString() }, { position });
  },
});

export const logoutRoute = route.delete('/sessions/current', {
  summary: 'log out: every module rejects the token afterwards',
  auth: true,
  responses: { 204: null },
  async handle({ ctx, caller, meta }) {
    const { position } = await ctx.events.append(
      ctx.events.stream('session', caller!.sessionId),
      [{ type: LoggedOut.type, data: { userId: caller!.userId, sessionId: caller!.sessionId } }],
      { expectedRevision: 'stream_exists', metadata: { correlationId: meta.correlationId, actor: caller!.userId } },
    );
    return noContent({ position });
  },
});
