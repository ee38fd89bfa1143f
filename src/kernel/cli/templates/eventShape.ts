import { z } from 'zod';
import type { EventContract } from '../../types/contracts.js';
import { EXAMPLE_UUID } from './names.js';

/** One field of an event's data, as a generator sees it (from the schema's JSON Schema). */
export interface EventField {
  name: string;
  /** The zod expression of a replica column for it, or undefined for what a column cannot hold (objects, arrays). */
  column?: string;
  /** A value the schema accepts, for a spec. */
  example: unknown;
  required: boolean;
}

interface JsonSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  minimum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
}

/** The fields of an event's data (the current version's schema), in order. */
export function eventFields(contract: EventContract): EventField[] {
  const schema = z.toJSONSchema(contract.schema as z.ZodType, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, field]) => ({ name, column: column(field), example: example(field), required: required.has(name) }));
}

/** The field that keys one instance (a process) or one row (a replica): the first `…Id`, else the first field. */
export function keyField(fields: readonly EventField[]): EventField | undefined {
  return fields.find((f) => f.required && /Id$/.test(f.name) && typeof f.example === 'string') ?? fields.find((f) => f.required && typeof f.example === 'string');
}

const types = (s: JsonSchema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : (s.anyOf ?? []).flatMap(types));

function column(s: JsonSchema): string | undefined {
  const all = types(s);
  const nullable = all.includes('null') ? '.nullable()' : '';
  const base = all.includes('string') ? 'z.string()' : all.includes('integer') ? 'z.number().int()' : all.includes('number') ? 'z.number()' : all.includes('boolean') ? 'z.boolean()' : undefined;
  return base && `${base}${nullable}`;
}

function example(s: JsonSchema): unknown {
  if (s.enum?.length) return s.enum[0];
  const all = types(s);
  if (all.includes('string')) return s.format === 'uuid' ? EXAMPLE_UUID : s.format === 'email' ? 'someone@example.com' : s.format === 'date-time' ? '2026-01-01T00:00:00.000Z' : 'example';
  if (all.includes('integer') || all.includes('number')) return Math.max(1, s.minimum ?? 1);
  if (all.includes('boolean')) return true;
  if (all.includes('array')) return [];
  if (all.includes('object')) return Object.fromEntries(Object.entries(s.properties ?? {}).filter(([k]) => s.required?.includes(k)).map(([k, v]) => [k, example(v)]));
  return null;
}
