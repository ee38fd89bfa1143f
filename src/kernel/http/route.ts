import type { z } from 'zod';
import type { CallerOf, Grant, HttpResult, Method, RouteDefinition, RouteInput } from '../types/http.js';

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, G extends Grant> {
  summary: string;
  /** Who may call it: `'anyone'`, or the grants of which the caller needs one (see Access). */
  access: 'anyone' | readonly G[];
  params?: P;
  query?: Q;
  body?: B;
  responses?: Record<number, z.ZodType | null>;
  handle(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>, [G] extends [never] ? null : CallerOf<G>>): Promise<HttpResult>;
}

function define(method: Method) {
  return <P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined, const G extends Grant = never>(
    path: string,
    spec: RouteSpec<P, Q, B, G>,
  ): RouteDefinition => {
    const names = [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
    if (names.length > 0 && !spec.params) throw new TypeError(`route ${method.toUpperCase()} ${path} has path parameters but no params schema`);
    if (spec.access !== 'anyone' && spec.access.length === 0) throw new TypeError(`route ${method.toUpperCase()} ${path}: access lists no grant (use 'anyone' for a public route)`);
    return { method, path, summary: spec.summary, access: spec.access, params: spec.params, query: spec.query, body: spec.body, responses: spec.responses ?? {}, handle: spec.handle as RouteDefinition['handle'] };
  };
}

/** Route builders: `route.post('/items', { summary, access: ['member'], body, handle })`. */
export const route = {
  get: define('get'),
  post: define('post'),
  put: define('put'),
  patch: define('patch'),
  delete: define('delete'),
};
