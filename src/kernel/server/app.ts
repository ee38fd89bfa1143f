import { randomBytes, randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { EventRegistry } from '../contracts/registry.js';
import { parseWith } from '../contracts/validation.js';
import { ConflictError, UnavailableError, ValidationError } from '../errors.js';
import type { EventStore } from '../types/eventStore.js';
import { stampedContext } from '../modules/moduleEvents.js';
import { SeamsMetrics } from '../telemetry/metrics.js';
import { observeRequests, ROUTE } from './httpObservability.js';
import { metricsRoute } from './metricsRoute.js';
import { mountPages } from './pages.js';
import type { ModuleContext } from '../types/module.js';
import type { ModuleRuntime } from '../runtime/runtime.js';
import { openApiDocument } from '../http/openapi.js';
import { operationsRoutes } from './operationsRoutes.js';
import { problemHandler, sendProblem } from '../http/problem.js';
import { Authenticator, isLocalClient, principalOf, revocationCheck, type RevocationCheck } from '../http/access.js';
import { ACCESS, Revocations } from '../http/accessReplica.js';
import { IDEMPOTENCY_HEADER, IdempotencyKeys, idempotencyKey, requestHash } from '../http/idempotency.js';
import { AlreadyHandled, repeatableContext } from '../modules/scopedIds.js';
import { oneStorePositions, requestedPositions } from '../http/positionTokens.js';
import type { Caller, HttpResult, RouteDefinition } from '../types/http.js';
import type { Positions } from '../types/positions.js';

export interface HttpAppOptions {
  runtime: ModuleRuntime;
  store: EventStore;
  registry: EventRegistry;
  log: Logger;
  /** The admin credential (`Authorization: Bearer <adminToken>`); without it, routes for the admin answer local clients only. */
  adminToken?: string;
  /** How long a `Min-Position` request waits for the module to catch up (API.md: 5 s). */
  minPositionWaitMs?: number;
  /** The deployment's secret, which seals the answers kept for idempotency keys (random when not given: kept answers then do not survive a restart). */
  secret?: Uint8Array;
  /** `/health/ready` fails while a projection is more than this many seconds behind. */
  readyMaxLagS?: number;
  /** Parked streams make /health/ready 503 instead of degraded. */
  parkedMakesUnready?: boolean;
  /** Where requests are measured (and `/metrics` reads); a fresh registry when not given. */
  metrics?: SeamsMetrics;
  /** How positions are written and waited for: integers of one store (default), or tokens naming stores once split. */
  positions?: Positions;
  /** Extra operator routes under `/admin` (e.g. the broker link's status). */
  admin?: readonly RouteDefinition[];
  /** What keeps this process from doing all its work (e.g. a relay held back): `/health/ready` says `degraded`. */
  degraded?: () => string[];
}

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
  const metrics = options.metrics ?? new SeamsMetrics();
  app.use(observeRequests(metrics));

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
  // A module's routes are found by the first path segment in one step, not by walking every layer
  // mounted before them (the pages, /admin, the modules ahead): about a tenth of a read's CPU went to
  // express's router matching paths. No module takes a kernel path (KERNEL_PATHS), so no route moves.
  const moduleRouters = new Map<string, Router>();
  app.use('/:module', (req, res, next) => {
    const moduleRouter = moduleRouters.get(req.params.module as string);
    if (moduleRouter) moduleRouter(req, res, next);
    else next();
  });

  const access = new Authenticator(runtime.tokens, options.adminToken);
  const secret = options.secret ?? randomBytes(32);
  const operations = operationsRoutes(runtime, store, registry, { readyMaxLagS: options.readyMaxLagS, degraded: options.degraded, parkedMakesUnready: options.parkedMakesUnready });
  operations.admin.push(...(options.admin ?? []));
  const mounted: { prefix: string; tag: string; routes: readonly RouteDefinition[] }[] = [
    { prefix: '/health', tag: 'operations', routes: operations.health },
    { prefix: '/admin', tag: 'operations', routes: operations.admin },
  ];
  // Each module checks tokens against its own access replica; /admin/* against the first one here.
  const revocations = new Map<string, RevocationCheck>();
  for (const module of runtime.modules) {
    if (!module.projections.some((p) => p.name === ACCESS)) continue;
    const ctx = runtime.context(module.name);
    const checker = new Revocations(runtime.credentialEvents!, runtime.runner(module.name, ACCESS), ctx.db, store);
    revocations.set(module.name, revocationCheck(checker, () => ctx.catchUp(2000, ACCESS), module.name));
  }
  const anyRevocations = revocations.values().next().value;
  app.use('/health', router(operations.health, () => null, options, access));
  // Pages a browser opens (the console among them) and /metrics are let in like /admin/* routes.
  const adminOnly = adminGuard(access, anyRevocations);
  mountPages(app, adminOnly, options.adminToken);
  app.use('/admin', router(operations.admin, () => null, options, access, anyRevocations));
  app.get('/metrics', adminOnly, metricsRoute(runtime, metrics));
  for (const module of runtime.modules) {
    if (module.routes.length === 0) continue;
    const ctx = runtime.context(module.name);
    // GETs read through the module's reader: they never wait in line behind the writer's transactions.
    const reading = runtime.readingContext(module.name);
    const keys = new IdempotencyKeys(ctx.db, secret);
    moduleRouters.set(module.name, router(module.routes, (route) => (route.method === 'get' ? reading : ctx), options, access, revocations.get(module.name), keys));
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

/** Express middleware letting in what an `/admin/*` route lets in: the admin credential and operators. */
function adminGuard(access: Authenticator, revocations: RevocationCheck | undefined): RequestHandler {
  return (req, res, next) => {
    access.authorize(req, ['admin', 'operator'], revocations).then(() => next(), next);
  };
}

/**
 * Who acts, as the log records it: a member's or service token's principal; for the admin
 * credential, the name the console sends (`X-Operator`) and how it was let in.
 */
function actorOf(req: Request, caller: Caller, adminToken: string | undefined): string {
  if (caller.kind !== 'admin') return principalOf(caller);
  const credential = !adminToken && isLocalClient(req) ? 'loopback' : 'admin token';
  const name = req.headers['x-operator'];
  return typeof name === 'string' && /^[\p{L}\p{N} ._@-]{1,100}$/u.test(name.trim()) ? `${name.trim()} (${credential})` : credential;
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

interface RouteGuards {
  access: Authenticator;
  revocations?: RevocationCheck;
  /** The module's kept idempotency keys (module routes only). */
  keys?: IdempotencyKeys;
}

function router(routes: readonly RouteDefinition[], context: (route: RouteDefinition) => ModuleContext | null, options: HttpAppOptions, access: Authenticator, revocations?: RevocationCheck, keys?: IdempotencyKeys): Router {
  const r = express.Router();
  for (const definition of routes) {
    r[definition.method](definition.path, (req: Request, res: Response, next: NextFunction) => {
      res.locals[ROUTE] = req.baseUrl + definition.path;
      handle(definition, context(definition), req, res, options, { access, revocations, keys }).catch(next);
    });
  }
  return r;
}

/** A repeat whose first run appended other content (a timestamp, say) took effect before: a 409, never a second effect. */
async function tookEffectBefore(key: string, handling: Promise<HttpResult>): Promise<HttpResult> {
  try {
    return await handling;
  } catch (error) {
    if (!(error instanceof AlreadyHandled)) throw error;
    throw new ConflictError(`the request with ${IDEMPOTENCY_HEADER} ${key} took effect before, and its answer is no longer kept; read the resource to see it`);
  }
}

async function handle(route: RouteDefinition, ctx: ModuleContext | null, req: Request, res: Response, options: HttpAppOptions, guards: RouteGuards): Promise<void> {
  const positions = options.positions ?? oneStorePositions;
  const minPositions = requestedPositions(req.headers);
  const ifMatch = headerInteger(req, 'If-Match', /^(?:W\/)?"?(\d+)"?$/);
  const key = route.method === 'post' ? idempotencyKey(req.headers['idempotency-key']) : undefined;
  // Who is asking comes first: a request without the credential it needs is a 401 at once, before any wait.
  const caller = await guards.access.authorize(req, route.access, guards.revocations);
  if (minPositions && ctx && !(await positions.reached(ctx, minPositions, options.minPositionWaitMs ?? 5000))) {
    throw new UnavailableError(`module ${ctx.name} has not reached ${req.headers['min-position'] ?? 'the positions seen'} yet; retry shortly`, 1);
  }
  let log: Logger | undefined;
  const meta = { correlationId: String(req.id), actor: caller ? actorOf(req, caller, options.adminToken) : undefined };
  const ip = req.socket.remoteAddress ?? 'unknown';
  const keyOwner = caller ? principalOf(caller) : `anonymous:${ip}`;
  // A POST under an Idempotency-Key may run again after its kept answer was lost (a crash before it
  // was kept, a module database restored from a backup): it then makes the same ids and appends
  // the same events, which the log takes once.
  // (The request is part of the scope: a key used again for another request after its 24 hours acts anew.)
  const hash = key !== undefined ? requestHash(req.originalUrl, req.body) : '';
  const repeatable = ctx && key !== undefined && guards.keys ? repeatableContext(ctx, `${ctx.name}/idempotency/${keyOwner}/${key}/${hash}`) : ctx;
  const input = {
    // Everything the handler appends or sends carries this request's id (the conversation, and its cause) and caller.
    ctx: (repeatable && stampedContext(repeatable, { ...meta, causationId: meta.correlationId })) as ModuleContext,
    params: route.params ? parseWith(route.params, req.params, 'path parameters') : undefined,
    query: route.query ? parseWith(route.query, req.query, 'query parameters') : undefined,
    body: route.body ? parseWith(route.body, req.body, 'request body') : undefined,
    caller,
    ifMatch,
    meta,
    ip,
    // Made on first use: most requests log nothing of their own.
    get log() {
      return (log ??= (ctx?.log ?? options.log).child({ reqId: String(req.id) }));
    },
  };
  const handled = key !== undefined && guards.keys
    ? await guards.keys.run(keyOwner, key, hash, () => tookEffectBefore(key, route.handle(input)))
    : { result: await route.handle(input), replayed: false };
  const { result } = handled;
  if (handled.replayed) res.setHeader('Idempotent-Replayed', 'true');
  if (result.position !== undefined) res.setHeader('Event-Position', positions.format(result.position));
  if (result.revision !== undefined) res.setHeader('ETag', `"${result.revision}"`);
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  res.status(result.status);
  if (result.body === undefined) res.end();
  else res.json(result.body);
}
