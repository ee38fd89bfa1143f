import type { z } from 'zod';
import type { HttpResult, Method, RouteDefinition, RouteInput } from '../types/http.js';

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
