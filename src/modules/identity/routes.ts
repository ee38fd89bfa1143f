import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { UnauthorizedError, created, loadState, noContent, route } from '../../kernel/index.js';
import { account, accountId, handleAccount } from './account.js';
import { checkNotLocked, clearFailures, recordFailure } from './loginThrottle.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';
import { handleSession } from './session.js';

const SESSION_TTL_MS = 24 * 60 * 60_000;
const email = z.email().max(254);
const password = z.string().min(8).max(200);

export const registerRoute = route.post('/registrations', {
  summary: 'register a user: 201 with the new userId, 409 when the email is taken',
  body: z.object({ email, password, displayName: z.string().trim().min(1).max(100) }),
  responses: { 201: z.object({ userId: z.uuid() }) },
  async handle({ ctx, body }) {
    const userId = randomUUID();
    const { result } = await handleAccount(ctx.events, { userId, email: body.email, displayName: body.displayName, passwordHash: await hashPassword(body.password) });
    return created({ userId }, { position: result!.position });
  },
});

export const loginRoute = route.post('/sessions', {
  summary: 'log in: 201 with a bearer token; 401 bad credentials; 429 after repeated failures',
  body: z.object({ email, password: z.string().max(200) }),
  responses: { 201: z.object({ token: z.string(), sessionId: z.uuid(), userId: z.uuid(), expiresAt: z.string() }) },
  async handle({ ctx, body }) {
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
    const { result } = await handleSession(ctx.events, { kind: 'start', sessionId, userId: state.userId, expiresAt: expiresAt.toISOString() });
    const token = await ctx.tokens.issue({ userId: state.userId, sessionId }, expiresAt);
    return created({ token, sessionId, userId: state.userId, expiresAt: expiresAt.toISOString() }, { position: result!.position });
  },
});

export const logoutRoute = route.delete('/sessions/current', {
  summary: 'log out: every module rejects the token afterwards',
  auth: true,
  responses: { 204: null },
  async handle({ ctx, caller }) {
    const { result } = await handleSession(ctx.events, { kind: 'end', sessionId: caller!.sessionId, userId: caller!.userId });
    return noContent(result ? { position: result.position } : {});
  },
});

export const routes = [registerRoute, loginRoute, logoutRoute];
