import { randomBytes, randomUUID } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { EventRegistry } from '../contracts/registry.js';
import type { EventStore } from '../types/eventStore.js';
import { SeamsMetrics } from '../telemetry/metrics.js';
import { observeRequests } from './httpObservability.js';
import { metricsRoute } from './metricsRoute.js';
import { mountPages } from './pages.js';
import { router, type RouteTable } from './routeHandler.js';
import type { ModuleRuntime } from '../runtime/runtime.js';
import { openApiDocument } from '../http/openapi.js';
import { operationsRoutes } from './operationsRoutes.js';
import { problemHandler, sendProblem } from '../http/problem.js';
import { Authenticator, revocationCheck, type RevocationCheck } from '../http/access.js';
import { ACCESS, Revocations } from '../http/accessReplica.js';
import { IdempotencyKeys } from '../http/idempotency.js';
import type { RouteDefinition } from '../types/http.js';
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
  app.use(jsonBody(express.json({ limit: '1mb', type: JSON_TYPES, strict: false })));
  // A module's routes are found by the first path segment in one step, not by walking every layer
  // mounted before them (the pages, /admin, the modules ahead): about a tenth of a read's CPU went to
  // express's router matching paths. No module takes a kernel path (KERNEL_PATHS), so no route moves.
  const moduleRoutes = new Map<string, RouteTable>();
  app.use((req, res, next) => {
    const path = req.path;
    const end = path.indexOf('/', 1);
    const table = moduleRoutes.get(end === -1 ? path.slice(1) : path.slice(1, end));
    if (table) table(req, res, next, end === -1 ? '/' : path.slice(end));
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
  app.use('/health', router('/health', operations.health, () => null, options, access));
  // Pages a browser opens (the console among them) and /metrics are let in like /admin/* routes.
  const adminOnly = adminGuard(access, anyRevocations);
  mountPages(app, adminOnly, options.adminToken);
  app.use('/admin', router('/admin', operations.admin, () => null, options, access, anyRevocations));
  app.get('/metrics', adminOnly, metricsRoute(runtime, metrics));
  for (const module of runtime.modules) {
    if (module.routes.length === 0) continue;
    const ctx = runtime.context(module.name);
    // GETs read through the module's reader: they never wait in line behind the writer's transactions.
    const reading = runtime.readingContext(module.name);
    const keys = new IdempotencyKeys(ctx.db, secret);
    moduleRoutes.set(module.name, router(`/${module.name}`, module.routes, (route) => (route.method === 'get' ? reading : ctx), options, access, revocations.get(module.name), keys));
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

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * A request's body must be JSON: anything else is 415, before it is read. A request without one
 * (every GET) does not pass through the parser at all: body-parser looked at each to skip it, a
 * few per cent of a read's CPU in bench:http.
 */
function jsonBody(parse: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return next();
    if (!req.is(JSON_TYPES)) return sendProblem(res, 415, `the request body must be application/json, not ${req.headers['content-type'] ?? 'untyped'}`);
    parse(req, res, next);
  };
}

/** Express middleware letting in what an `/admin/*` route lets in: the admin credential and operators. */
function adminGuard(access: Authenticator, revocations: RevocationCheck | undefined): RequestHandler {
  return (req, res, next) => {
    access.authorize(req, ['admin', 'operator'], revocations).then(() => next(), next);
  };
}
