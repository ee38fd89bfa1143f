import { EventRegistry } from '../contracts/registry.js';
import { kernelEvents } from '../projections/kernelEvents.js';
import type { ModuleDefinition } from '../types/module.js';
import { ownEvents } from './defineModule.js';

/** The registry of every event an application's store accepts: the kernel's and each module's own. */
export function registryOf(modules: readonly ModuleDefinition[]): EventRegistry {
  return new EventRegistry([...kernelEvents, ...modules.flatMap(ownEvents)]);
}
