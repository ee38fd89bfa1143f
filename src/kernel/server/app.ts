import { randomUUID, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { EventRegistry } from '../contracts/registry.js';
import { parseWith } from '../contracts/validation.js';
import { ForbiddenError, UnauthorizedError, UnavailableError, ValidationError } from '../errors.js';
import type { EventStore } from '../types/eventStore.js';
import { stamped } from '../modules/moduleEvents.js';
import type { ModuleContext } from '../types/module.js';
import type { ModuleRuntime } from '../runtime/runtime.js';
import { openApiDocument } from '../http/openapi.js';
import { operationsRoutes } from './operationsRoutes.js';
import { problemHandler, sendProblem } from '../http/problem.js';
import { EndedSessions, REVOKED_SESSIONS } from '../http/revokedSessions.js';
import { oneStorePositions, requestedPositions } from '../http/positionTokens.js';
import type { Caller, RouteDefinition } from '../types/http.js';
import type { Positions } from '../types/positions.js';

export interface HttpAppOptions {
  runtime: ModuleRuntime;
  store: EventStore;
  registry: EventRegistry;
  log: Logger;
  /** When set, `/admin/*` needs `Authorization: Bearer <adminToken>`; otherwise loopback clients only. */
  adminToken?: string;
  /** How long a `Min-Position` request waits for the module to catch up (API.md: 5 s). */
  minPositionWaitMs?: number;
  /** How positions are written and waited for: integers of one store (default), or tokens naming stores once split. */
  positions?: Positions;
  /** Extra operator routes under `/admin` (e.g. the broker link's status). */
  admin?: readonly RouteDefinition[];
  /** What keeps this process from doing all its work (e.g. a relay held back): `/health/ready` says `degraded`. */
  degraded?: () => string[];
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * One express app: each running module's routes under `/<module>`, health, admin and the
 * OpenAPI document. Every input is validated by the route's zod schemas; every error is
 * problem+json; writes carry `Event-Position`; any request may wait with `Min-Position`.
 */
export function createHttpApp(options: HttpAppOptions): express.Express {
  const { runtime, store, registry, log } = options;
  const app = express();
  app.disable('x-powered-by');
  // ETags are resource revisions set by handlers, not hashes of bodies.
  app.set('etag', false);
  app.set('query parser', 'simple');

  const genReqId = (req: IncomingMessage, res: ServerResponse) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    return id;
  };
  // pino-http logs every request at info. When info is off it logs nothing, yet would still
  // serialize and redact each request into a child logger: then only the request id is set.
  if (log.isLevelEnabled('info')) {
    // Never log credentials. req.log binds only the request id (as `reqId`, like every other line).
    app.use(pinoHttp({ logger: log, genReqId, quietReqLogger: true, redact: ['req.headers.authorization', 'req.headers.cookie'] }));
  } else {
    app.use((req, res, next) => {
      req.id = genReqId(req, res);
      next();
    });
  }
  app.use(requireJsonBody);
  app.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'], strict: false }));

  const verified = new VerifiedTokens();
  const operations = operationsRoutes(runtime, store, registry, options.degraded);
  operations.admin.push(...(options.admin ?? []));
  const mounted: { prefix: string; tag: string; routes: readonly RouteDefinition[] }[] = [
    { prefix: '/health', tag: 'operations', routes: operations.health },
    { prefix: '/admin', tag: 'operations', routes: operations.admin },
  ];
  app.use('/health', router(operations.health, () => null, options));
  app.use('/admin', adminGuard(options.adminToken), router(operations.admin, () => null, options));
  for (const module of runtime.modules) {
    if (module.routes.length === 0) continue;
    const ctx = runtime.context(module.name);
    const auth = module.routes.some((r) => r.auth) ? authenticator(ctx, new EndedSessions(runtime.runner(module.name, REVOKED_SESSIONS), ctx.db, store), verified) : undefined;
    app.use(`/${module.name}`, router(module.routes, () => ctx, options, auth));
    mounted.push({ prefix: `/${module.name}`, tag: module.name, routes: module.routes });
  }
  const document = openApiDocument(mounted);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use((req, res) => sendProblem(res, 404, `no route ${req.method} ${req.path}`));
  app.use(problemHandler(log));
  return app;
}

/** A body on a request that must be JSON: anything else is 415, before it is read. */
const requireJsonBody: RequestHandler = (req, res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is(['application/json', 'application/*+json'])) {
    return sendProblem(res, 415, `the request body must be application/json, not ${req.headers['content-type'] ?? 'untyped'}`);
  }
  next();
};

function adminGuard(adminToken: string | undefined): RequestHandler {
  const expected = adminToken ? Buffer.from(adminToken) : undefined;
  return (req, _res, next) => {
    if (!expected) {
      if (LOOPBACK.has(req.socket.remoteAddress ?? '')) return next();
      return next(new ForbiddenError('admin endpoints answer only clients on loopback unless SEAMS_ADMIN_TOKEN is set'));
    }
    const given = Buffer.from(bearer(req) ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return next(new UnauthorizedError('admin endpoints need Authorization: Bearer <SEAMS_ADMIN_TOKEN>'));
    next();
  };
}

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer ([^\s]+)$/i.exec(header) : null;
  return match?.[1];
}

function headerInteger(req: Request, name: string, pattern: RegExp): number | undefined {
  const raw = req.headers[name.toLowerCase()];
  if (raw === undefined) return undefined;
  const match = typeof raw === 'string' ? pattern.exec(raw.trim()) : null;
  const value = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(value)) {
    const message = `must be a whole number >= 0, got ${JSON.stringify(raw)}`;
    throw new ValidationError(`header ${name} ${message}`, [{ path: name, message }]);
  }
  return value;
}

type Authenticate = (req: Request) => Promise<Caller>;

function router(routes: readonly RouteDefinition[], context: () => ModuleContext | null, options: HttpAppOptions, auth?: Authenticate): Router {
  const r = express.Router();
  for (const definition of routes) {
    r[definition.method](definition.path, (req: Request, res: Response, next: NextFunction) => {
      handle(definition, context(), req, res, options, auth).catch(next);
    });
  }
  return r;
}

async function handle(route: RouteDefinition, ctx: ModuleContext | null, req: Request, res: Response, options: HttpAppOptions, auth: Authenticate | undefined): Promise<void> {
  const positions = options.positions ?? oneStorePositions;
  const minPositions = requestedPositions(req.headers);
  const ifMatch = headerInteger(req, 'If-Match', /^(?:W\/)?"?(\d+)"?$/);
  if (minPositions && ctx && !(await positions.reached(ctx, minPositions, options.minPositionWaitMs ?? 5000))) {
    throw new UnavailableError(`module ${ctx.name} has not reached ${req.headers['min-position'] ?? 'the positions seen'} yet; retry shortly`, 1);
  }
  const caller = route.auth && auth ? await auth(req) : null;
  let log: Logger | undefined;
  const meta = { correlationId: String(req.id), actor: caller?.userId };
  const input = {
    // Everything the handler appends carries this request's id and caller.
    ctx: (ctx && { ...ctx, events: stamped(ctx.events, meta) }) as ModuleContext,
    params: route.params ? parseWith(route.params, req.params, 'path parameters') : undefined,
    query: route.query ? parseWith(route.query, req.query, 'query parameters') : undefined,
    body: route.body ? parseWith(route.body, req.body, 'request body') : undefined,
    caller,
    ifMatch,
    meta,
    ip: req.socket.remoteAddress ?? 'unknown',
    // Made on first use: most requests log nothing of their own.
    get log() {
      return (log ??= (ctx?.log ?? options.log).child({ reqId: String(req.id) }));
    },
  };
  const result = await route.handle(input);
  if (result.position !== undefined) res.setHeader('Event-Position', positions.format(result.position));
  if (result.revision !== undefined) res.setHeader('ETag', `"${result.revision}"`);
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  res.status(result.status);
  if (result.body === undefined) res.end();
  else res.json(result.body);
}

/**
 * A module's authentication: verifies the bearer token locally, then asks whether its session
 * has ended, from the module's own replica of ended sessions and the logouts committed since
 * (EndedSessions): a logout is honoured by every module at once. Only when the replica is far
 * behind does the check wait for it to catch up with the log.
 */
function authenticator(ctx: ModuleContext, sessions: EndedSessions, verified: VerifiedTokens): Authenticate {
  return async (req) => {
    const token = bearer(req);
    if (!token) throw new UnauthorizedError('this endpoint needs Authorization: Bearer <token>');
    const caller = await verified.verify(token, ctx);
    let ended = await sessions.check(caller.sessionId);
    if (ended === undefined && (await ctx.catchUp(2000, REVOKED_SESSIONS))) ended = await sessions.check(caller.sessionId);
    if (ended === undefined) throw new UnavailableError(`module ${ctx.name} cannot check sessions right now`, 1);
    if (ended) throw new UnauthorizedError('this session has ended (logged out)');
    return { userId: caller.userId, sessionId: caller.sessionId };
  };
}

/**
 * Tokens whose signature was verified, until they expire: a signed token cannot change, so its
 * HMAC (computed on the thread pool, beside the databases' work) is checked once, not on every
 * request. Revocation is not cached here: it is asked on every request. Bounded: the oldest
 * entry goes when full.
 */
class VerifiedTokens {
  private readonly tokens = new Map<string, Caller & { expiresAtMs: number }>();

  constructor(private readonly capacity = 10_000) {}

  async verify(token: string, ctx: ModuleContext): Promise<Caller> {
    const known = this.tokens.get(token);
    if (known && known.expiresAtMs > Date.now()) return known;
    if (known) this.tokens.delete(token);
    const caller = await ctx.tokens.verify(token);
    if (this.tokens.size >= this.capacity) this.tokens.delete(this.tokens.keys().next().value!);
    this.tokens.set(token, { userId: caller.userId, sessionId: caller.sessionId, expiresAtMs: caller.expiresAt.getTime() });
    return caller;
  }
}
