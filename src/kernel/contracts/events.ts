import type { z } from 'zod';
import { ownerOf } from './names.js';

/** Turns data written with schema version `n` into the shape of version `n + 1`. */
export type Upcaster = (data: any) => unknown;

export interface EventContract<TType extends string = string, TSchema extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly type: TType;
  /** The module that owns (and alone may append) this event type. */
  readonly module: string;
  /** Current version: appends are validated against `schema` and stored with this version. */
  readonly schemaVersion: number;
  readonly schema: TSchema;
  /** `upcasters.get(n)` lifts version n to n + 1; every version below the current one has one. */
  readonly upcasters: ReadonlyMap<number, Upcaster>;
}

export type EventData<C extends EventContract> = z.infer<C['schema']>;

/** A typed event value of a contract, as a module appends it. */
export type EventOf<C extends EventContract> = { type: C['type']; data: EventData<C> };

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
