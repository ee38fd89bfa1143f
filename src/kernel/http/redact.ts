import { z } from 'zod';
import type { EventRegistry } from '../contracts/registry.js';
import type { RecordedEvent } from '../types/eventStore.js';

/**
 * Fields a schema marks `.meta({ secret: true })` are shown as "[redacted]" wherever the
 * operator reads raw events (admin endpoints). Paths are found once per event type.
 */
type Path = (string | '*')[];

function secretPaths(schema: object, path: Path = [], out: Path[] = []): Path[] {
  const node = schema as { secret?: boolean; properties?: Record<string, object>; items?: object; anyOf?: object[]; oneOf?: object[]; allOf?: object[] };
  if (node.secret === true) {
    out.push(path);
    return out;
  }
  for (const [key, child] of Object.entries(node.properties ?? {})) secretPaths(child, [...path, key], out);
  if (node.items && typeof node.items === 'object') secretPaths(node.items, [...path, '*'], out);
  for (const child of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) secretPaths(child, path, out);
  return out;
}

function redactAt(value: unknown, path: Path): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (head === '*' && Array.isArray(value)) return value.map((v) => (rest.length === 0 ? '[redacted]' : redactAt(v, rest)));
  if (typeof head === 'string' && head in (value as object)) {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    copy[head] = rest.length === 0 ? '[redacted]' : redactAt(copy[head], rest);
    return copy;
  }
  return value;
}

export function redactor(registry: EventRegistry): (event: RecordedEvent) => RecordedEvent {
  const cache = new Map<string, Path[]>();
  return (event) => {
    let paths = cache.get(event.type);
    if (!paths) {
      const contract = registry.get(event.type);
      paths = contract ? secretPaths(z.toJSONSchema(contract.schema, { unrepresentable: 'any' })) : [];
      cache.set(event.type, paths);
    }
    if (paths.length === 0) return event;
    return { ...event, data: paths.reduce(redactAt, event.data) };
  };
}
