import type { z } from 'zod';
import { ownerOf } from './names.js';

/** A synchronous question to the owning module; callers must handle "unavailable". */
export interface QueryContract<
  TType extends string = string,
  TArgs extends z.ZodType = z.ZodType,
  TResult extends z.ZodType = z.ZodType,
> {
  readonly kind: 'query';
  readonly type: TType;
  readonly module: string;
  readonly args: TArgs;
  readonly result: TResult;
}

export type QueryArgs<Q extends QueryContract> = z.infer<Q['args']>;
export type QueryResult<Q extends QueryContract> = z.infer<Q['result']>;

export function defineQuery<const TType extends string, TArgs extends z.ZodType, TResult extends z.ZodType>(
  type: TType,
  args: TArgs,
  result: TResult,
): QueryContract<TType, TArgs, TResult> {
  return { kind: 'query', type, module: ownerOf(type), args, result };
}
