import { join } from 'node:path';
import { UsageError } from './io.js';

/** One deployable of a split: modules that run together on one store. */
export interface Deployable {
  /** Its store's name (in position tokens and on the broker): `main`, or the extracted module's. */
  name: string;
  modules: string[];
  /** Extracted: a store of its own, holding its module's events and what it receives. */
  ownStore: boolean;
  dataDir: string;
}

/**
 * The application split for `seams split --extract a,b`: each extracted module a deployable on a
 * store of its own (`<data>/deployables/<module>`), the others together on the existing store
 * (`<data>`, named `main`). Extracted deployables come first: they declare their queues before
 * the main store's relay publishes what they consume.
 */
export function splitPlan(modules: readonly string[], extract: readonly string[], dataDir: string): Deployable[] {
  if (extract.length === 0) throw new UsageError('--extract names no module');
  for (const name of extract) {
    if (!modules.includes(name)) throw new UsageError(`unknown module "${name}" (modules: ${modules.join(', ')})`);
  }
  if (new Set(extract).size !== extract.length) throw new UsageError(`--extract names a module twice: ${extract.join(',')}`);
  const rest = modules.filter((m) => !extract.includes(m));
  return [
    ...extract.map((name) => ({ name, modules: [name], ownStore: true, dataDir: join(dataDir, 'deployables', name) })),
    ...(rest.length > 0 ? [{ name: 'main', modules: rest, ownStore: false, dataDir }] : []),
  ];
}
