import type { z } from 'zod';
import type { EventContract, EventData, EventOf, Upcaster } from '../types/contracts.js';
import { ownerOf } from './names.js';

export function defineEvent<const TType extends string, TSchema extends z.ZodType>(
  type: TType,
  schemaVersion: number,
  schema: TSchema,
  options: { upcasters?: Record<number, Upcaster> } = {},
): EventContract<TType, TSchema> {
  const module = ownerOf(type);
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1) {
    throw new TypeError(`${type}: schema version must be a positive integer, got ${schemaVersion}`);
  }
  const upcasters = new Map<number, Upcaster>();
  for (const [from, upcast] of Object.entries(options.upcasters ?? {})) upcasters.set(Number(from), upcast);
  for (let version = 1; version < schemaVersion; version++) {
    if (!upcasters.has(version)) {
      throw new TypeError(`${type}: schema version ${schemaVersion} needs an upcaster from version ${version}`);
    }
  }
  return { kind: 'event', type, module, schemaVersion, schema, upcasters };
}

/** A typed event value to append: the only way a module builds one. */
export function newEvent<C extends EventContract>(contract: C, data: EventData<C>, id?: string): EventOf<C> {
  return id ? { id, type: contract.type, data } : { type: contract.type, data };
}
