import type { IncomingHttpHeaders } from 'node:http';
import { ValidationError } from '../errors.js';
import type { ModuleContext } from '../types/context.js';
import type { PositionToken, Positions, RequestedPositions } from '../types/positions.js';

/**
 * Position tokens (API.md, "Min-Position"). In a deployment with one store a position is the
 * integer of today; split over stores it is `<store>:<position>`, naming the store it comes from.
 * `Min-Position` takes one token or a comma-separated list of them.
 */

/** The header a gateway adds: the newest position it has seen answered by each store. */
export const SEEN_POSITIONS_HEADER = 'seams-seen-positions';
const MAX_TOKENS = 32;
const TOKEN = /^(?:([a-z0-9][a-z0-9+_-]{0,63}):)?(\d{1,16})$/;

export function formatPosition(position: number, store?: string): string {
  return store === undefined ? String(position) : `${store}:${position}`;
}

/** Parses one token or a list; anything else is a ValidationError naming the header. */
export function parsePositions(raw: string, header = 'Min-Position'): PositionToken[] {
  const parts = raw.split(',').map((part) => part.trim());
  const refuse = (why: string): never => {
    throw new ValidationError(`header ${header} ${why}`, [{ path: header, message: why }]);
  };
  if (parts.length > MAX_TOKENS) refuse(`lists at most ${MAX_TOKENS} positions, got ${parts.length}`);
  return parts.map((part) => {
    const match = TOKEN.exec(part);
    const position = match ? Number(match[2]) : NaN;
    if (!match || !Number.isSafeInteger(position)) {
      return refuse(`must be a whole number >= 0 or <store>:<position>, or a comma-separated list of them; got ${JSON.stringify(part)}`);
    }
    return match[1] === undefined ? { position } : { store: match[1], position };
  });
}

/** The positions a request asks for: the client's `Min-Position` and what a gateway saw. Undefined when neither is there. */
export function requestedPositions(headers: IncomingHttpHeaders): RequestedPositions | undefined {
  const read = (name: string, label: string) => {
    const raw = headers[name];
    if (raw === undefined) return [];
    return parsePositions(Array.isArray(raw) ? raw.join(',') : raw, label);
  };
  const client = read('min-position', 'Min-Position');
  const seen = read(SEEN_POSITIONS_HEADER, 'Seams-Seen-Positions');
  return client.length + seen.length > 0 ? { client, seen } : undefined;
}

/** The newest position per store among tokens (bare integers under the key ''). */
export function newestPerStore(tokens: Iterable<PositionToken>): Map<string, number> {
  const newest = new Map<string, number>();
  for (const { store = '', position } of tokens) newest.set(store, Math.max(position, newest.get(store) ?? 0));
  return newest;
}

/**
 * One store, as before any split: positions are bare integers, and a module waits until its
 * projections have reached the highest one. A named token cannot be resolved here and is passed over.
 */
export const oneStorePositions: Positions = {
  format: (position) => formatPosition(position),
  async reached(ctx: ModuleContext, requested, timeoutMs) {
    const position = newestPerStore(requested.client).get('');
    return position === undefined || ctx.waitFor(position, timeoutMs);
  },
};
