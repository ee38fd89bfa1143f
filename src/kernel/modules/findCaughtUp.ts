import type { ModuleContext } from '../types/module.js';

/** How long a read that finds nothing waits for the projection to catch up before it says so. */
const CATCH_UP_MS = 1000;

/**
 * Reads from one of the module's projections; when that finds nothing, lets the projection
 * catch up with the log once (bounded) and reads again. A miss right after a write (the client
 * sent no Min-Position) is then not reported as "does not exist".
 */
export async function findCaughtUp<T>(ctx: Pick<ModuleContext, 'catchUp'>, projection: string | { name: string }, find: () => Promise<T>): Promise<T> {
  const found = await find();
  if (found !== undefined && found !== null) return found;
  return (await ctx.catchUp(CATCH_UP_MS, typeof projection === 'string' ? projection : projection.name)) ? find() : found;
}
