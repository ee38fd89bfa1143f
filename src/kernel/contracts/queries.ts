import type { z } from 'zod';
import type { QueryContract } from '../types/contracts.js';
import { ownerOf } from './names.js';

export function defineQuery<const TType extends string, TArgs extends z.ZodType, TResult extends z.ZodType>(
  type: TType,
  args: TArgs,
  result: TResult,
): QueryContract<TType, TArgs, TResult> {
  return { kind: 'query', type, module: ownerOf(type), args, result };
}
