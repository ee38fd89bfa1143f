import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Caller, ModuleContext } from './context.js';

export type { Caller, TokenService } from './context.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Handlers return responses as values; the kernel writes them, adding the consistency headers:
 * `Event-Position` (what a write appended) and `ETag` (a single resource's revision).
 */
export interface HttpResult {
  status: number;
  body?: unknown;
  /** Global position of the last event the request appended. */
  position?: number;
  /** Stream revision of the single resource in the body. */
  revision?: number;
  headers?: Record<string, string>;
}

export interface RouteInput<P, Q, B> {
  /** The module's context; its `events` stamp every append with this request's id and caller. */
  ctx: ModuleContext;
  params: P;
  query: Q;
  body: B;
  /** Set on routes with `auth: true`; null elsewhere. */
  caller: Caller | null;
  /** The If-Match revision, when the client sent one. */
  ifMatch?: number;
  /** The request's correlation id and the acting user (already on every event `ctx.events` appends). */
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

