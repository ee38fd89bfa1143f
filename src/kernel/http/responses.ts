import type { HttpResult } from '../types/http.js';

/** Results handlers return (see HttpResult): the kernel writes them with their consistency headers. */
interface Extras {
  position?: number;
  revision?: number;
  headers?: Record<string, string>;
}

export const ok = (body: unknown, extras: Extras = {}): HttpResult => ({ status: 200, body, ...extras });
export const created = (body: unknown, extras: Extras = {}): HttpResult => ({ status: 201, body, ...extras });
export const accepted = (body: unknown, extras: Extras = {}): HttpResult => ({ status: 202, body, ...extras });
export const noContent = (extras: Extras = {}): HttpResult => ({ status: 204, ...extras });
