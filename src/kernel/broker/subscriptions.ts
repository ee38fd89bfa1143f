import { readers } from '../modules/defineModule.js';
import type { ModuleDefinition } from '../types/module.js';

/**
 * Who sends what over the broker, from the module definitions alone. A store holds the events
 * its own modules append; everything its modules consume from modules of other stores arrives
 * through its inbox, and its relay sends out exactly what modules of other stores consume.
 */

/** Public event types `module` consumes (its projections, replicas and processes), owned by a module outside `storeModules`. */
export function consumedFromElsewhere(module: ModuleDefinition, all: readonly ModuleDefinition[], storeModules: readonly string[]): string[] {
  const isPublic = new Set(all.flatMap((m) => m.publicEvents.map((e) => e.type)));
  const types = readers(module).flatMap((r) => r.consumes.filter((c) => !storeModules.includes(c.module) && isPublic.has(c.type)).map((c) => c.type));
  return [...new Set(types)].sort();
}

/** Public event types of the store's modules that some module of another store consumes: what its relay publishes. */
export function relayedTypes(all: readonly ModuleDefinition[], storeModules: readonly string[]): string[] {
  const elsewhere = all.filter((m) => !storeModules.includes(m.name));
  const names = elsewhere.map((m) => m.name);
  return [...new Set(elsewhere.flatMap((m) => consumedFromElsewhere(m, all, names)))].sort();
}
