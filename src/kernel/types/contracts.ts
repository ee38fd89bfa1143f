import type { z } from 'zod';
import type { RecordedEvent } from './eventStore.js';

/**
 * The shapes of the messages modules exchange: events, commands and queries, each named
 * `<module>.<Name>` by the module that owns it. Built by defineEvent/defineCommand/defineQuery.
 */

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

/** A new event of a contract, ready to append; built by `newEvent(Contract, data)`. */
export interface EventOf<C extends EventContract = EventContract> {
  id?: string;
  type: C['type'];
  data: EventData<C>;
}

/** A recorded event of one of the contracts `C`, as a union discriminated by `type` (what `evolve` takes). */
export type RecordedEventOf<C extends EventContract> = C extends EventContract ? RecordedEvent<EventData<C>> & { type: C['type'] } : never;

/** A request to the owning module to change something; other modules send it with `ctx.send`. */
export interface CommandContract<TType extends string = string, TSchema extends z.ZodType = z.ZodType> {
  readonly kind: 'command';
  readonly type: TType;
  readonly module: string;
  readonly schema: TSchema;
}

export type CommandData<C extends CommandContract> = z.infer<C['schema']>;

/** A synchronous question to the owning module; callers must handle "unavailable". */
export interface QueryContract<TType extends string = string, TArgs extends z.ZodType = z.ZodType, TResult extends z.ZodType = z.ZodType> {
  readonly kind: 'query';
  readonly type: TType;
  readonly module: string;
  readonly args: TArgs;
  readonly result: TResult;
}

export type QueryArgs<Q extends QueryContract> = z.infer<Q['args']>;
export type QueryResult<Q extends QueryContract> = z.infer<Q['result']>;
