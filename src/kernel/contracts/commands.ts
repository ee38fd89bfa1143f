import type { z } from 'zod';
import { ownerOf } from './names.js';

/** A request to the owning module to change something; other modules send it with `ctx.send`. */
export interface CommandContract<TType extends string = string, TSchema extends z.ZodType = z.ZodType> {
  readonly kind: 'command';
  readonly type: TType;
  readonly module: string;
  readonly schema: TSchema;
}

export type CommandData<C extends CommandContract> = z.infer<C['schema']>;

export function defineCommand<const TType extends string, TSchema extends z.ZodType>(
  type: TType,
  schema: TSchema,
): CommandContract<TType, TSchema> {
  return { kind: 'command', type, module: ownerOf(type), schema };
}
