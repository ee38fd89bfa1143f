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

interface Extras {
  position?: number;
  revision?: number;
  headers?: Record<string, string>;
}

export const ok = (body: unknown, extras: Extras = {}): HttpResult => ({ status: 200, body, ...extras });
export const created = (body: unknown, extras: Extras = {}): HttpResult => ({ status: 201, body, ...extras });
export const accepted = (body: unknown, extras: Extras = {}): HttpResult => ({ status: 202, body, ...extras });
export const noContent = (extras: Extras = {}): HttpResult => ({ status: 204, ...extras });
