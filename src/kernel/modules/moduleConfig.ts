import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { ModuleConfig, ModuleDefinition } from '../types/module.js';

/**
 * A module's own settings, declared beside its code as environment variables with their
 * defaults: `defineConfig({ ORDERS_CUSTOMER_WAIT_MS: wholeNumber(0, 86_400_000).default(2000) })`.
 * The kernel parses them when the module starts; code reads them typed with `.of(ctx)`.
 */
export function defineConfig<const Shape extends z.ZodRawShape>(shape: Shape): ModuleConfig<z.ZodObject<Shape>> {
  const schema = z.object(shape);
  return { schema, of: (holder) => holder.settings as z.output<typeof schema> };
}

/** Parses a module's settings from the environment; a bad value is one line naming the variable. */
export function parseModuleConfig(module: ModuleDefinition, env: Readonly<Record<string, string | undefined>>): unknown {
  if (!module.config) return {};
  const parsed = module.config.schema.safeParse(env);
  if (parsed.success) return Object.freeze(parsed.data);
  const issue = parsed.error.issues[0]!;
  throw new ValidationError(`configuration: ${issue.path.join('.')}: ${issue.message} (a setting of module ${module.name})`);
}
