/**
 * Every route of the application and how to call it as each kind of caller: the fixture of the
 * authorization table (test/kernel/http/access.test.ts), also used by the tests that go over every
 * route (idempotency keys, unstorable text). A cell's request may make a fresh resource of its own
 * when the request uses up what it acts on (a cancellation, a deletion, an execution report).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenService } from '../../src/kernel/host.js';
import { startApp, type TestApp } from './httpHarness.js';
import { eventually } from './http.js';

export const CALLERS = ['anonymous', 'owner', 'other member', 'operator', 'admin', 'jobs:submit', 'jobs:read', 'jobs:report', 'revoked session', 'revoked service token', 'expired token'] as const;
export type CallerKind = (typeof CALLERS)[number];
export type Expected = Record<CallerKind, number>;

/** What a cell sends: its path (parameters filled in), body, and, when the request uses up what it acts on, a token of its own. */
export interface RouteRequest {
  path: string;
  body?: unknown;
  token?: string;
}

export interface Entry {
  expected: Expected;
  /** Builds one cell's request; `succeeds` says whether this caller is expected in (it may need a resource of its own to use up). */
  request(caller: CallerKind, succeeds: boolean): Promise<RouteRequest>;
}

/** The expected statuses, by who the route lets in: everyone else gets 401 (no or a bad credential) or 403 (one it does not let in). */
function expectedFor(lets: Partial<Record<CallerKind, number>>, denied: { member?: number; service?: number; admin?: number } = {}): Expected {
  const forbidden = (kind: CallerKind) => (kind === 'admin' ? (denied.admin ?? 403) : kind.startsWith('jobs:') ? (denied.service ?? 403) : (denied.member ?? 403));
  return Object.fromEntries(
    CALLERS.map((kind) => [kind, lets[kind] ?? (kind === 'anonymous' || kind.startsWith('revoked') || kind === 'expired token' ? 401 : forbidden(kind))]),
  ) as Expected;
}
/** A route anyone may call: every caller gets `status` (a token is not even looked at). */
const anyone = (status: number): Expected => Object.fromEntries(CALLERS.map((kind) => [kind, status])) as Expected;
const members = (owner: number, other: number, operator: number) => ({ owner, 'other member': other, operator });
const admins = (status: number) => ({ operator: status, admin: status });

/** Makes the callers (their tokens) and the resources the table acts on, in `app` (started with `adminToken`); returns the table. */
export async function routeTable(app: TestApp, adminToken: string): Promise<{ tokens: Record<CallerKind, string | undefined>; table: Record<string, Entry> }> {
  const fx = { itemId: '', customerId: '', orderId: '', jobId: '', conversationId: '' };
  let ada: Awaited<ReturnType<TestApp['signUp']>>;
  let bob: Awaited<ReturnType<TestApp['signUp']>>;
  const tokens = {} as Record<CallerKind, string | undefined>;

  const request = (method: string, path: string, init: { token?: string; body?: unknown } = {}) => app.request(method, path, init);
  const ok = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    const reply = await request(method, path, { token, body });
    if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.text}`);
    return reply;
  };
  const newUser = () => app.signUp('Someone', `${crypto.randomUUID()}@example.com`);
  const newCustomer = async () => (await ok('POST', '/customers', ada.token, { name: 'Ada’s customer', email: 'customer@example.com' })).body.customerId as string;
  const newOrder = async (confirmed: boolean) => {
    const { orderId } = (await ok('POST', '/orders', ada.token, { customerId: fx.customerId, lines: [{ itemId: fx.itemId, quantity: 1 }] })).body;
    if (confirmed) await eventually(async () => (await request('GET', `/orders/${orderId}`, { token: ada.token })).body.status === 'confirmed');
    return orderId as string;
  };
  const newJob = async (scheduled: boolean) => {
    const { jobId } = (await ok('POST', '/jobs', ada.token, { type: 'render', payload: { frames: 1 } })).body;
    if (scheduled) await eventually(async () => (await request('GET', `/jobs/${jobId}`, { token: ada.token })).body.status === 'scheduled');
    return jobId as string;
  };
  const newServiceToken = async () => (await ok('POST', '/identity/service-tokens', adminToken, { name: 'spare', scopes: ['jobs:read'] })).body.tokenId as string;

  ada = await app.signUp('Ada');
  bob = await app.signUp('Bob');
  const eve = await app.signUp('Eve');
  const olga = await app.operator('Olga');
  const service = async (scopes: string[]) => (await app.serviceToken(scopes)).token;
  const revokedService = await app.serviceToken(['jobs:submit', 'jobs:read', 'jobs:report']);
  await ok('DELETE', `/identity/service-tokens/${revokedService.tokenId}`, adminToken);
  const loggedOut = await app.request('POST', '/identity/sessions', { body: { email: ada.email, password: ada.password } });
  await ok('DELETE', '/identity/sessions/current', loggedOut.body.token);
  const secret = new TextEncoder().encode(readFileSync(join(app.dir, 'token-secret'), 'utf8').trim());
  const expired = await tokenService(secret).issueMember({ userId: ada.userId, sessionId: ada.sessionId, roles: [], rolesRevision: -1 }, new Date(Date.now() - 60_000));
  Object.assign(tokens, {
    anonymous: undefined,
    owner: ada.token,
    'other member': eve.token,
    operator: olga.token,
    admin: adminToken,
    'jobs:submit': await service(['jobs:submit']),
    'jobs:read': await service(['jobs:read']),
    'jobs:report': await service(['jobs:report']),
    'revoked session': loggedOut.body.token,
    'revoked service token': revokedService.token,
    'expired token': expired,
  });
  const spareTokenId = await newServiceToken();
  const itemId = (await ok('POST', '/catalog/items', ada.token, { title: 'Lamp', priceCents: 100 })).body.itemId;
  fx.itemId = itemId;
  fx.customerId = await newCustomer();
  fx.orderId = await newOrder(false);
  fx.jobId = await newJob(false);
  fx.conversationId = (await ok('POST', '/chat/conversations', ada.token, { participantIds: [bob.userId] })).body.conversationId;
  await eventually(async () => (await request('GET', `/catalog/items/${itemId}`)).status === 200);

  const at = (path: string) => async () => ({ path });
  const table: Record<string, Entry> = {
    'GET /health/live': { expected: anyone(200), request: at('/health/live') },
    'GET /health/ready': { expected: anyone(200), request: at('/health/ready') },

    'GET /admin/projections': { expected: expectedFor(admins(200)), request: at('/admin/projections') },
    'GET /admin/processes': { expected: expectedFor(admins(200)), request: at('/admin/processes') },
    'GET /admin/processes/{type}/{id}': { expected: expectedFor(admins(200)), request: async () => ({ path: `/admin/processes/order_process/${fx.orderId}` }) },
    'POST /admin/queries/{type}': { expected: expectedFor(admins(200)), request: async () => ({ path: '/admin/queries/users.GetProfile', body: { userId: ada.userId } }) },
    'POST /admin/commands/{type}': {
      expected: expectedFor(admins(204)),
      request: async () => ({
        path: '/admin/commands/communications.SendMail',
        body: { data: { to: 'ops@example.com', subject: 'from the table', body: '.', idempotencyKey: crypto.randomUUID() }, meta: { commandId: crypto.randomUUID() } },
      }),
    },
    'GET /admin/streams/{stream}': { expected: expectedFor(admins(200)), request: async () => ({ path: `/admin/streams/customers.customer-${fx.customerId}` }) },
    'GET /admin/events': { expected: expectedFor(admins(200)), request: at('/admin/events?limit=5') },
    'GET /admin/modules': { expected: expectedFor(admins(200)), request: at('/admin/modules') },
    'GET /admin/set-aside-commands': { expected: expectedFor(admins(200)), request: at('/admin/set-aside-commands') },
    // The operator's actions: let in, they answer for the projection's state (not stopped: 409) or the command (none: 404).
    'POST /admin/projections/{module}/{projection}/retry': { expected: expectedFor(admins(409)), request: at('/admin/projections/catalog/items/retry') },
    'POST /admin/projections/{module}/{projection}/skip': { expected: expectedFor(admins(409)), request: async () => ({ path: '/admin/projections/catalog/items/skip', body: { reason: 'the table' } }) },
    'POST /admin/projections/{module}/{projection}/rebuild': {
      expected: expectedFor(admins(202)),
      // Each caller let in starts a rebuild of its own projection (a second one of the same is a 409 while the first runs).
      request: async (caller) => ({ path: `/admin/projections/${caller === 'admin' ? 'chat/messages' : 'users/profiles'}/rebuild` }),
    },
    'POST /admin/processes/{type}/{id}/commands/{commandId}/resubmit': {
      expected: expectedFor(admins(404)),
      request: async () => ({ path: `/admin/processes/order_process/${fx.orderId}/commands/${crypto.randomUUID()}/resubmit` }),
    },

    'POST /identity/registrations': { expected: anyone(201), request: async () => ({ path: '/identity/registrations', body: { email: `${crypto.randomUUID()}@example.com`, password: 'a long password', displayName: 'New' } }) },
    'POST /identity/sessions': { expected: anyone(201), request: async () => ({ path: '/identity/sessions', body: { email: ada.email, password: ada.password } }) },
    'DELETE /identity/sessions/current': {
      // A session of the caller's own, ended by the request: each member cell logs in again first.
      expected: expectedFor(members(204, 204, 204)),
      request: async (caller, succeeds) => {
        if (!succeeds) return { path: '/identity/sessions/current' };
        const who = caller === 'operator' ? await app.operator('Another operator') : await newUser();
        return { path: '/identity/sessions/current', token: who.token };
      },
    },
    // A fresh user for each grant or revocation that goes through (so Olga stays an operator); the refused ones name Bob.
    'POST /identity/operators': { expected: expectedFor({ admin: 201 }), request: async (_c, succeeds) => ({ path: '/identity/operators', body: { userId: succeeds ? (await newUser()).userId : bob.userId } }) },
    'DELETE /identity/operators/{userId}': {
      expected: expectedFor({ admin: 204 }),
      request: async (_c, succeeds) => ({ path: `/identity/operators/${succeeds ? (await app.operator('To be revoked')).userId : bob.userId}` }),
    },
    'POST /identity/service-tokens': { expected: expectedFor(admins(201)), request: async () => ({ path: '/identity/service-tokens', body: { name: 'table', scopes: ['jobs:read'] } }) },
    'DELETE /identity/service-tokens/{tokenId}': { expected: expectedFor(admins(204)), request: async (_c, succeeds) => ({ path: `/identity/service-tokens/${succeeds ? await newServiceToken() : spareTokenId}` }) },

    'GET /users/{userId}': { expected: anyone(200), request: async () => ({ path: `/users/${ada.userId}` }) },
    // Self only: even an operator may not change someone's profile (403, as API.md says: profiles are public).
    'PATCH /users/{userId}': { expected: expectedFor(members(200, 403, 403)), request: async () => ({ path: `/users/${ada.userId}`, body: { bio: 'changed' } }) },

    'POST /catalog/items': { expected: expectedFor(members(201, 201, 201)), request: async () => ({ path: '/catalog/items', body: { title: 'Chair', priceCents: 10 } }) },
    'GET /catalog/items/{itemId}': { expected: anyone(200), request: async () => ({ path: `/catalog/items/${fx.itemId}` }) },
    'GET /catalog/items': { expected: anyone(200), request: at('/catalog/items') },
    'POST /catalog/items/{itemId}/owner-check': { expected: anyone(200), request: async () => ({ path: `/catalog/items/${fx.itemId}/owner-check` }) },

    'POST /chat/conversations': { expected: expectedFor(members(201, 201, 201)), request: async () => ({ path: '/chat/conversations', body: { participantIds: [bob.userId] } }) },
    // Participants only: Eve and the operator are not in it, so for them it does not exist.
    'POST /chat/conversations/{id}/messages': { expected: expectedFor(members(201, 404, 404)), request: async () => ({ path: `/chat/conversations/${fx.conversationId}/messages`, body: { text: 'hi' } }) },
    'GET /chat/conversations/{id}/messages': { expected: expectedFor(members(200, 404, 404)), request: async () => ({ path: `/chat/conversations/${fx.conversationId}/messages` }) },

    'POST /customers': { expected: expectedFor(members(201, 201, 201)), request: async () => ({ path: '/customers', body: { name: 'New', email: 'new@example.com' } }) },
    'GET /customers/{customerId}': { expected: expectedFor(members(200, 404, 200)), request: async () => ({ path: `/customers/${fx.customerId}` }) },
    'DELETE /customers/{customerId}': { expected: expectedFor(members(204, 404, 204)), request: async (_c, succeeds) => ({ path: `/customers/${succeeds ? await newCustomer() : fx.customerId}` }) },

    // Anyone's order is taken (202): nothing is checked synchronously; someone else's customer makes it invalid (tested in orders).
    'POST /orders': { expected: expectedFor(members(202, 202, 202)), request: async () => ({ path: '/orders', body: { customerId: fx.customerId, lines: [{ itemId: fx.itemId, quantity: 1 }] } }) },
    'GET /orders/{orderId}': { expected: expectedFor(members(200, 404, 200)), request: async () => ({ path: `/orders/${fx.orderId}` }) },
    'POST /orders/{orderId}/cancellation': { expected: expectedFor(members(202, 404, 202)), request: async (_c, succeeds) => ({ path: `/orders/${succeeds ? await newOrder(true) : fx.orderId}/cancellation` }) },

    'GET /communications/mails': { expected: expectedFor(members(200, 200, 200)), request: at('/communications/mails') },

    'POST /jobs': { expected: expectedFor({ ...members(202, 202, 202), 'jobs:submit': 202 }), request: async () => ({ path: '/jobs', body: { type: 'render', payload: { frames: 1 } } }) },
    'GET /jobs': { expected: expectedFor({ ...members(200, 200, 200), 'jobs:submit': 200, 'jobs:read': 200 }), request: at('/jobs') },
    'GET /jobs/pools/{type}': { expected: expectedFor({ ...members(200, 200, 200), 'jobs:submit': 200, 'jobs:read': 200, 'jobs:report': 200 }), request: at('/jobs/pools/render') },
    // The submitter, operators and jobs:read tokens; a jobs:submit token sees only the jobs it submitted.
    'GET /jobs/{jobId}': { expected: expectedFor({ ...members(200, 404, 200), 'jobs:submit': 404, 'jobs:read': 200 }), request: async () => ({ path: `/jobs/${fx.jobId}` }) },
    'GET /jobs/{jobId}/payload': { expected: expectedFor({ ...members(200, 404, 200), 'jobs:submit': 404, 'jobs:read': 200 }), request: async () => ({ path: `/jobs/${fx.jobId}/payload` }) },
    'GET /jobs/{jobId}/history': { expected: expectedFor({ ...members(200, 404, 200), 'jobs:submit': 404, 'jobs:read': 200 }), request: async () => ({ path: `/jobs/${fx.jobId}/history` }) },
    // Not the submitter: an operator or the end system's jobs:report token.
    'POST /jobs/{jobId}/execution-reports': {
      expected: expectedFor({ operator: 202, 'jobs:report': 202 }),
      request: async (_c, succeeds) => ({ path: `/jobs/${succeeds ? await newJob(true) : fx.jobId}/execution-reports`, body: { status: 'running' } }),
    },
  };
  return { tokens, table };
}

/** The application (with an admin credential) and its route table, for the tests of one describe block: made before them, stopped after. */
export function useRouteTable(): { app: TestApp; adminToken: string; tokens: Record<CallerKind, string | undefined>; table: Record<string, Entry> } {
  const adminToken = 'the-admin-credential-of-this-test';
  const fixture = { adminToken, table: {} } as ReturnType<typeof useRouteTable>;
  before(async function () {
    this.timeout(60_000);
    fixture.app = await startApp({ config: { adminToken } });
    Object.assign(fixture, await routeTable(fixture.app, adminToken));
  });
  after(async () => fixture.app?.stop());
  return fixture;
}
