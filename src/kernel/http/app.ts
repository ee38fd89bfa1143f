import { randomUUID, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { EventRegistry } from '../contracts/registry.js';
import { parseWith } from '../contracts/validation.js';
import { ForbiddenError, UnauthorizedError, UnavailableError, ValidationError } from '../errors.js';
import type { EventStore } from '../event-store/types.js';
import type { ModuleContext } from '../modules/moduleContext.js';
import type { ModuleRuntime } from '../modules/runtime.js';
import { openApiDocument } from './openapi.js';
import { operationsRoutes } from './operationsRoutes.js';
import { problemHandler, sendProblem } from './problem.js';
import { REVOKED_SESSIONS } from './revokedSessions.js';
import type { Caller, RouteDefinition } from './route.js';

export interface HttpAppOptions {
  runtime: ModuleRuntime;
  store: EventStore;
  registry: EventRegistry;
  log: Logger;
  /** When set, `/admin/*` needs `Authorization: Bearer <adminToken>`; otherwise loopback clients only. */
  adminToken?: string;
  /** How long a `Min-Position` request waits for the module to catch up (API.md: 5 s). */
  minPositionWaitMs?: number;
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

  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Never log credentials.
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    }),
  );
  app.use(requireJsonBody);
  app.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'], strict: false }));

  const operations = operationsRoutes(runtime, store, registry);
  const mounted: { prefix: string; tag: string; routes: readonly RouteDefinition[] }[] = [
    { prefix: '/health', tag: 'operations', routes: operations.health },
    { prefix: '/admin', tag: 'operations', routes: operations.admin },
  ];
  app.use('/health', router(operations.health, () => null, options));
  app.use('/admin', adminGuard(options.adminToken), router(operations.admin, () => null, options));
  for (const module of runtime.modules) {
    if (module.routes.length === 0) continue;
    if (module.routes.some((r) => r.auth) && !module.projections.some((p) => p.name === REVOKED_SESSIONS)) {
      throw new Error(`module ${module.name} has authenticated routes but keeps no replica of ended sessions: add revokedSessions(LoggedOut) to its projections`);
    }
    const ctx = runtime.context(module.name);
    app.use(`/${module.name}`, router(module.routes, () => ctx, options));
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

function router(routes: readonly RouteDefinition[], context: () => ModuleContext | null, options: HttpAppOptions): Router {
  const r = express.Router();
  for (const definition of routes) {
    r[definition.method](definition.path, (req: Request, res: Response, next: NextFunction) => {
      handle(definition, context(), req, res, options).catch(next);
    });
  }
  return r;
}

async function handle(route: RouteDefinition, ctx: ModuleContext | null, req: Request, res: Response, options: HttpAppOptions): Promise<void> {
  const minPosition = headerInteger(req, 'Min-Position', /^(\d+)$/);
  const ifMatch = headerInteger(req, 'If-Match', /^(?:W\/)?"?(\d+)"?$/);
  if (minPosition !== undefined && ctx && !(await ctx.waitFor(minPosition, options.minPositionWaitMs ?? 5000))) {
    throw new UnavailableError(`module ${ctx.name} has not reached position ${minPosition} yet; retry shortly`, 1);
  }
  const caller = route.auth && ctx ? await authenticate(req, ctx) : null;
  const input = {
    ctx: ctx as ModuleContext,
    params: route.params ? parseWith(route.params, req.params, 'path parameters') : undefined,
    query: route.query ? parseWith(route.query, req.query, 'query parameters') : undefined,
    body: route.body ? parseWith(route.body, req.body, 'request body') : undefined,
    caller,
    ifMatch,
    meta: { correlationId: String(req.id), actor: caller?.userId },
    ip: req.socket.remoteAddress ?? 'unknown',
  };
  const result = await route.handle(input);
  if (result.position !== undefined) res.setHeader('Event-Position', String(result.position));
  if (result.revision !== undefined) res.setHeader('ETag', `"${result.revision}"`);
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  res.status(result.status);
  if (result.body === undefined) res.end();
  else res.json(result.body);
}

/**
 * Verifies the bearer token locally, then checks this module's own replica of ended sessions,
 * after letting that replica catch up with the log: a logout is honoured by every module at once.
 */
async function authenticate(req: Request, ctx: ModuleContext): Promise<Caller> {
  const token = bearer(req);
  if (!token) throw new UnauthorizedError('this endpoint needs Authorization: Bearer <token>');
  const caller = await ctx.tokens.verify(token);
  if (!(await ctx.catchUp(2000, REVOKED_SESSIONS))) {
    throw new UnavailableError(`module ${ctx.name} cannot check sessions right now`, 1);
  }
  const revoked = await ctx.db(ctx.tables(REVOKED_SESSIONS).revoked_sessions).where({ session_id: caller.sessionId }).first();
  if (revoked) throw new UnauthorizedError('this session has ended (logged out)');
  return { userId: caller.userId, sessionId: caller.sessionId };
}
