import type { z } from 'zod';
import type { CommandContract } from '../types/contracts.js';
import { ownerOf } from './names.js';

export function defineCommand<const TType extends string, TSchema extends z.ZodType>(type: TType, schema: TSchema): CommandContract<TType, TSchema> {
  return { kind: 'command', type, module: ownerOf(type), schema };
}
