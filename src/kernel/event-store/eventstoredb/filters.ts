import { eventTypeFilter, excludeSystemEvents, streamNameFilter, type Filter } from '@eventstore/db-client';
import type { ReadAllFilter } from '../../types/eventStore.js';

/**
 * Our filter as the one server-side filter EventStoreDB applies to a `$all` subscription.
 * The server filters on one dimension per request, so:
 * - event types become an event-type regex that matches exactly those names (a prefix filter
 *   would also let `test.HappenedAgain` through for `test.Happened`);
 * - stream prefixes, when no types are asked for, become a stream-name prefix filter (literal
 *   prefixes: `%` and `_` are no wildcards there);
 * - no filter at all excludes system events (types starting with `$`: links, metadata, stats).
 * When both are given the server narrows by type and `matchesFilter` applies the prefixes; it
 * is applied to every event anyway, so the server filter only has to be a superset.
 */
export function toServerFilter(filter: ReadAllFilter | undefined): Filter {
  if (filter?.eventTypes) return eventTypeFilter({ regex: exactNamesRegex(filter.eventTypes) });
  if (filter?.streamPrefixes) return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  return excludeSystemEvents();
}

/**
 * Whether an event passes our filter; system events (`$` types) never do. An empty list matches
 * nothing. A correlation id is matched here, on the event's metadata: the server filters on no
 * metadata, so a conversation is read by scanning the log.
 */
export function matchesFilter(filter: ReadAllFilter | undefined, type: string, stream: string, metadata?: unknown): boolean {
  if (type.startsWith('$')) return false;
  if (filter?.correlationId !== undefined && (metadata as { correlationId?: unknown } | null | undefined)?.correlationId !== filter.correlationId) return false;
  if (filter?.eventTypes && !filter.eventTypes.includes(type)) return false;
  if (filter?.streamPrefixes && !filter.streamPrefixes.some((prefix) => stream.startsWith(prefix))) return false;
  return true;
}

/** A .NET regex (the server's dialect) matching exactly one of `names`. */
export function exactNamesRegex(names: readonly string[]): string {
  return `^(?:${names.map(escapeRegex).join('|')})$`;
}

/**
 * Escapes every ASCII character that is not a letter, digit or `_`. In .NET, a backslash
 * before such a character always means the character itself, while one before a letter or
 * digit may start an escape sequence; so letters, digits and non-ASCII are left alone.
 */
export function escapeRegex(text: string): string {
  return text.replace(/[\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]/g, (c) => (c < ' ' || c === '\x7f' ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\${c}`));
}
