import type { NextFunction, Request, Response } from 'express';
import { match } from 'path-to-regexp';
import type { Logger } from 'pino';
import { parseWith } from '../contracts/validation.js';
import { ConflictError, UnavailableError, ValidationError } from '../errors.js';
import { stampedContext } from '../modules/moduleEvents.js';
import { AlreadyHandled, repeatableContext } from '../modules/scopedIds.js';
import type { ModuleContext } from '../types/module.js';
import type { Caller, HttpResult, RouteDefinition } from '../types/http.js';
import { isLocalClient, principalOf, type Authenticator, type RevocationCheck } from '../http/access.js';
import { IDEMPOTENCY_HEADER, idempotencyKey, requestHash, type IdempotencyKeys } from '../http/idempotency.js';
import { oneStorePositions, requestedPositions } from '../http/positionTokens.js';
import { ROUTE } from './httpObservability.js';
import type { Positions } from '../types/positions.js';

/**
 * A route's request, from the credential to the answer: who asks, any `Min-Position` wait,
 * `If-Match`, the idempotency key, the route's zod schemas, its handler, and the headers of what
 * it appended (createHttpApp in app.ts mounts one router per module and for the kernel's routes).
 */

/** What handling a request needs of the app's options (HttpAppOptions has them). */
export interface RouteOptions {
  log: Logger;
  adminToken?: string;
  minPositionWaitMs?: number;
  positions?: Positions;
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

/**
 * The routes of one mount point (a module's, `/health`, `/admin`), tried in the order given: the
 * first whose method and path match handles the request, as express's router would match them
 * (not case-sensitive, a trailing slash allowed, parameters percent-decoded; HEAD answered by a
 * GET route, OPTIONS with the methods allowed). Matched here rather than by an express.Router,
 * which walked its layers, parsed the URL again and copied the parameters twice per request
 * (bench:http's reads, 0.47× → 0.60× the floor, medians of 3 alternating).
 * `path` is the request's path below `prefix`: the caller's, or `req.path` where express mounted
 * the table and trimmed the prefix itself.
 */
export type RouteTable = (req: Request, res: Response, next: NextFunction, path?: string) => void;

export function router(prefix: string, routes: readonly RouteDefinition[], context: (route: RouteDefinition) => ModuleContext | null, options: RouteOptions, access: Authenticator, revocations?: RevocationCheck, keys?: IdempotencyKeys): RouteTable {
  const table = routes.map((definition) => ({
    definition,
    method: definition.method.toUpperCase(),
    template: prefix + definition.path,
    ctx: context(definition),
    match: match<Record<string, string>>(definition.path.replace(/\/+$/, ''), { end: true, trailing: true, decode: decodeParam }),
  }));
  const guards = { access, revocations, keys };
  return (req, res, next, path = req.path) => {
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    let allowed: Set<string> | undefined;
    for (const entry of table) {
      const found = entry.match(path);
      if (!found) continue;
      if (entry.method !== method) {
        (allowed ??= new Set()).add(entry.method);
        continue;
      }
      req.params = found.params;
      res.locals[ROUTE] = entry.template;
      handle(entry.definition, entry.ctx, req, res, options, guards).catch(next);
      return;
    }
    if (req.method !== 'OPTIONS' || !allowed) return next();
    if (allowed.has('GET')) allowed.add('HEAD');
    res.setHeader('Allow', [...allowed].sort().join(', '));
    res.status(200).end();
  };
}

/** A parameter percent-decoded; malformed encoding is the client's 400 (problemHandler), as with express's router. */
function decodeParam(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch (error) {
    if (error instanceof URIError) Object.assign(error, { status: 400 });
    throw error;
  }
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

async function handle(route: RouteDefinition, ctx: ModuleContext | null, req: Request, res: Response, options: RouteOptions, guards: RouteGuards): Promise<void> {
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
