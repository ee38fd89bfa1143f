/**
 * Every projection's tables against a fresh rebuild's, row for row: a checksum of the serving
 * generation's rows (sorted, so the order rows were written in does not matter) before, and the
 * same after `seams projections rebuild --all` (the CLI, as an operator would run it).
 */
import { createHash } from 'node:crypto';
import { modules } from '../../src/application.js';
import type { CliSession } from '../../src/kernel/cli/session.js';
import type { ProjectionChecksum } from './history.js';
import { servingGeneration } from './observe.js';

/** `<module>/<projection>` → checksum of its serving tables. */
export async function projectionChecksums(session: CliSession): Promise<Map<string, string>> {
  const sums = new Map<string, string>();
  for (const module of modules) {
    const db = await session.db(module.name);
    for (const projection of module.projections) {
      const generation = await servingGeneration(db, projection.name);
      const hash = createHash('sha256');
      if (generation === undefined) hash.update('(no serving generation)');
      for (const table of Object.keys(projection.tables).sort()) {
        const rows = (await db(`${table}_g${generation}`).select()) as Record<string, unknown>[];
        const lines = rows.map((row) => JSON.stringify(Object.keys(row).sort().map((k) => [k, row[k] === null || row[k] === undefined ? null : String(row[k])]))).sort();
        hash.update(`${table}\n${lines.join('\n')}\n`);
      }
      sums.set(`${module.name}/${projection.name}`, hash.digest('hex'));
    }
  }
  return sums;
}

export function compareChecksums(live: Map<string, string>, rebuilt: Map<string, string>): ProjectionChecksum[] {
  return [...live].map(([name, sum]) => ({ name, live: sum, rebuilt: rebuilt.get(name) ?? '(missing)' }));
}
