import type { Logger } from 'pino';
import type { z } from 'zod';
import type { AdminCaller, Caller, MemberCaller, ModuleContext, ServiceCaller } from './context.js';

export type { AdminCaller, Caller, Credential, MemberCaller, ServiceCaller, TokenService } from './context.js';

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

/**
 * Who may call a route, checked by the kernel before anything else (401 without a credential,
 * 403 with one that grants none of these): any member (`member`, operators included), an
 * operator (`operator`), the admin credential (`admin`), or a service token with a scope
 * (`scope:jobs:read`). `anyone` needs no credential. What a caller may see of a resource (its
 * own customer, job...) is the route's business: someone else's is a 404.
 */
export type Grant = 'member' | 'operator' | 'admin' | `scope:${string}`;
export type Access = 'anyone' | readonly Grant[];

/** The caller a route with these grants receives. */
export type CallerOf<G> = G extends 'member' | 'operator' ? MemberCaller : G extends 'admin' ? AdminCaller : G extends `scope:${string}` ? ServiceCaller : never;

export interface RouteInput<P, Q, B, C extends Caller | null = Caller | null> {
  /** The module's context; its `events` stamp every append with this request's id and caller. */
  ctx: ModuleContext;
  params: P;
  query: Q;
  body: B;
  /** The verified caller, allowed by the route's `access`; null on routes anyone may call. */
  caller: C;
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
  /** Who may call it (enforced by the kernel, shown in the OpenAPI document). */
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status → response body schema (null: no body). For the OpenAPI document. */
  responses: Record<number, z.ZodType | null>;
  handle(input: RouteInput<any, any, any>): Promise<HttpResult>;
}

