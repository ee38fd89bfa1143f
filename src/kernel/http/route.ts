import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ModuleContext } from '../modules/moduleContext.js';
import type { HttpResult } from './responses.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The caller behind a verified, unrevoked bearer token. */
export interface Caller {
  userId: string;
  sessionId: string;
}

export interface RouteInput<P, Q, B> {
  ctx: ModuleContext;
  params: P;
  query: Q;
  body: B;
  /** Set on routes with `auth: true`; null elsewhere. */
  caller: Caller | null;
  /** The If-Match revision, when the client sent one. */
  ifMatch?: number;
  /** For event metadata: the request's correlation id and the acting user. */
  meta: { correlationId: string; actor?: string };
  /** The client's address (rate limits). */
  ip: string;
  /** The module's logger with this request's id (`reqId`) on every line. */
  log: Logger;
}

export interface RouteDefinition {
  method: Method;
  /** Path under the module's mount point, express syntax (`/items/:itemId`). */
  path: string;
  summary: string;
  auth: boolean;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status → response body schema (null: no body). For the OpenAPI document. */
  responses: Record<number, z.ZodType | null>;
  handle(input: RouteInput<any, any, any>): Promise<HttpResult>;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  summary: string;
  auth?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  responses?: Record<number, z.ZodType | null>;
  handle(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<HttpResult>;
}

function define(method: Method) {
  return <P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined>(
    path: string,
    spec: RouteSpec<P, Q, B>,
  ): RouteDefinition => {
    const names = [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
    if (names.length > 0 && !spec.params) throw new TypeError(`route ${method.toUpperCase()} ${path} has path parameters but no params schema`);
    return { method, path, summary: spec.summary, auth: spec.auth ?? false, params: spec.params, query: spec.query, body: spec.body, responses: spec.responses ?? {}, handle: spec.handle as RouteDefinition['handle'] };
  };
}

/** Route builders: `route.post('/items', { summary, auth, body, handle })`. */
export const route = {
  get: define('get'),
  post: define('post'),
  put: define('put'),
  patch: define('patch'),
  delete: define('delete'),
};
