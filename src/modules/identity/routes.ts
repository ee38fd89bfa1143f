import { z } from 'zod';
import { NotFoundError, UnauthorizedError, UnprocessableError, created, loadState, noContent, ok, principalOf, route } from '../../kernel/index.js';
import { account, accountId, handleAccount } from './account.js';
import { identityConfig } from './config.js';
import { decoyHash, hashPassword, paramsOfCost, verifyPassword } from './passwords.js';
import { currentRoles, handleRoles } from './roles.js';
import { SERVICE_SCOPES, handleServiceToken } from './serviceToken.js';
import { handleSession } from './session.js';
import { admitLogin, admitRegistration, loginSucceeded } from './throttles.js';
import { isRegistered } from './views/users.js';

const SESSION_TTL_MS = 24 * 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;
const email = z.email().max(254);
const password = z.string().min(8).max(200);
const userParams = z.object({ userId: z.uuid() });

/** The scrypt parameters hashes are made with now. */
const hashParams = (ctx: { settings: unknown }) => paramsOfCost(identityConfig.of(ctx).IDENTITY_SCRYPT_COST);

export const registerRoute = route.post('/registrations', {
  summary: 'register a user: 201 with the new userId, 409 when the email is taken; 429 beyond the registrations allowed per client address',
  access: 'anyone',
  body: z.object({ email, password, displayName: z.string().trim().min(1).max(100) }),
  responses: { 201: z.object({ userId: z.uuid() }) },
  async handle({ ctx, body, ip }) {
    await admitRegistration(ctx, ip);
    const userId = ctx.newId();
    const passwordHash = await hashPassword(body.password, hashParams(ctx));
    const { result } = await handleAccount(ctx.events, { kind: 'register', userId, email: body.email, displayName: body.displayName, passwordHash });
    return created({ userId }, { position: result!.position });
  },
});

export const loginRoute = route.post('/sessions', {
  summary: 'log in: 201 with a bearer token and the roles it carries; 401 bad credentials; 429 after repeated failures (per account and address) or too many attempts from the address',
  access: 'anyone',
  body: z.object({ email, password: z.string().max(200) }),
  responses: { 201: z.object({ token: z.string().meta({ secret: true }), sessionId: z.uuid(), userId: z.uuid(), roles: z.array(z.string()), expiresAt: z.string() }) },
  async handle({ ctx, body, ip }) {
    const id = accountId(body.email);
    // Counted before the password is checked: parallel guesses are limited as sequential ones.
    await admitLogin(ctx, id, ip);
    const { state } = await loadState(ctx.events, ctx.events.stream('account', id), account);
    const params = hashParams(ctx);
    const { valid, outdated } = await verifyPassword(body.password, state.passwordHash ?? (await decoyHash(params)), params);
    if (!valid || !state.userId) throw new UnauthorizedError('wrong email or password');
    await loginSucceeded(ctx, id, ip);
    // A hash made with weaker parameters than today's is replaced now, while the password is at hand.
    if (outdated) await handleAccount(ctx.events, { kind: 'rehash', email: body.email, passwordHash: await hashPassword(body.password, params) });
    const userId = state.userId;
    const sessionId = ctx.newId();
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    const { roles, revision } = await currentRoles(ctx.events, userId);
    const { result } = await handleSession(ctx.events, { kind: 'start', sessionId, userId, expiresAt: expiresAt.toISOString() });
    const token = await ctx.tokens.issueMember({ userId, sessionId, roles, rolesRevision: revision }, expiresAt);
    return created({ token, sessionId, userId, roles, expiresAt: expiresAt.toISOString() }, { position: result!.position });
  },
});

export const logoutRoute = route.delete('/sessions/current', {
  summary: 'log out: every module rejects the token afterwards',
  access: ['member'],
  responses: { 204: null },
  async handle({ ctx, caller }) {
    const { result } = await handleSession(ctx.events, { kind: 'end', sessionId: caller.sessionId, userId: caller.userId });
    return noContent(result ? { position: result.position } : {});
  },
});

const operatorView = z.object({ userId: z.uuid(), roles: z.array(z.string()) });

export const grantOperatorRoute = route.post('/operators', {
  summary: 'make a user an operator (admin credential): 201; 200 when it is one already; 422 for an unknown user. Their next login carries the role',
  access: ['admin'],
  body: z.object({ userId: z.uuid() }),
  responses: { 200: operatorView, 201: operatorView },
  async handle({ ctx, body }) {
    if (!(await isRegistered(ctx, body.userId))) throw new UnprocessableError(`no user ${body.userId}`);
    const { result } = await handleRoles(ctx.events, { kind: 'grant', userId: body.userId }, 'admin');
    const view = { userId: body.userId, roles: ['operator'] };
    return result ? created(view, { position: result.position }) : ok(view);
  },
});

export const revokeOperatorRoute = route.delete('/operators/:userId', {
  summary: "take the operator role back (admin credential): every module then rejects the user's tokens issued before; 404 for an unknown user",
  access: ['admin'],
  params: userParams,
  responses: { 204: null },
  async handle({ ctx, params }) {
    if (!(await isRegistered(ctx, params.userId))) throw new NotFoundError(`no user ${params.userId}`);
    const { result } = await handleRoles(ctx.events, { kind: 'revoke', userId: params.userId }, 'admin');
    return noContent(result ? { position: result.position } : {});
  },
});

export const issueServiceTokenRoute = route.post('/service-tokens', {
  summary: 'a service token for a machine (an operator or the admin credential): 201 with the token, shown this once',
  access: ['operator', 'admin'],
  body: z.object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(z.enum(SERVICE_SCOPES)).min(1).max(SERVICE_SCOPES.length),
    expiresInDays: z.number().int().min(1).max(3650).default(90),
  }),
  responses: { 201: z.object({ tokenId: z.uuid(), token: z.string().meta({ secret: true }), name: z.string(), scopes: z.array(z.string()), expiresAt: z.string() }) },
  async handle({ ctx, body, caller }) {
    const tokenId = ctx.newId();
    const scopes = [...new Set(body.scopes)];
    const expiresAt = new Date(Date.now() + body.expiresInDays * DAY_MS);
    const issued = { tokenId, name: body.name, scopes, expiresAt: expiresAt.toISOString() };
    const { result } = await handleServiceToken(ctx.events, { kind: 'issue', ...issued, issuedBy: principalOf(caller) });
    const token = await ctx.tokens.issueService({ tokenId, scopes }, expiresAt);
    return created({ tokenId, token, name: issued.name, scopes, expiresAt: issued.expiresAt }, { position: result!.position });
  },
});

export const revokeServiceTokenRoute = route.delete('/service-tokens/:tokenId', {
  summary: 'revoke a service token (an operator or the admin credential): every module rejects it afterwards; 404 for an unknown one',
  access: ['operator', 'admin'],
  params: z.object({ tokenId: z.uuid() }),
  responses: { 204: null },
  async handle({ ctx, params }) {
    const { result } = await handleServiceToken(ctx.events, { kind: 'revoke', tokenId: params.tokenId });
    return noContent(result ? { position: result.position } : {});
  },
});

export const routes = [registerRoute, loginRoute, logoutRoute, grantOperatorRoute, revokeOperatorRoute, issueServiceTokenRoute, revokeServiceTokenRoute];
