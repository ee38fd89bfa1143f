import type { Knex } from 'knex';
import { sleep } from '../event-store/subscription.js';
import { loadGeneration } from '../projections/generations.js';
import type { CliIo } from './io.js';

/** How long the CLI watches a new building generation for a running leader taking it over (it looks every 400 ms). */
const TAKEOVER_MS = 1500;
/** A leader that builds nothing for this long is taken as gone: the CLI builds the rest itself. */
const STALLED_MS = 10_000;

export type Handover = 'done' | 'build-here';

/**
 * A rebuild of a module that a running process leads is handed to that process: the CLI creates
 * the building generation, the leader notices it (within half a second) and builds it beside the
 * serving one, then swaps it in itself, so its reads move to the new tables at once. The CLI
 * watches and reports. Nobody taking it over (no server runs), or a leader that stops building,
 * leaves the building to the CLI; two builders at once stay safe, as every batch's checkpoint
 * moves only from where its writer found it.
 */
export async function handOverToLeader(db: Knex, module: string, projection: string, generation: number, start: number, io: CliIo, leaders: Map<string, boolean>): Promise<Handover> {
  const target = `${module}/${projection}`;
  // Whether the module has a live leader is found out once per run (the first of its projections waits to see).
  if (leaders.get(module) === false) return 'build-here';
  const began = Date.now();
  let seen = await loadGeneration(db, projection, generation);
  while (!leaders.get(module) && seen && !seen.serving && seen.position === start && Date.now() - began < TAKEOVER_MS) {
    await sleep(100);
    seen = await loadGeneration(db, projection, generation);
  }
  const takenOver = leaders.get(module) || !seen || seen.serving || seen.position !== start;
  leaders.set(module, takenOver);
  if (!takenOver) return 'build-here';
  io.err(`${target}: a running process leads ${module} and took the rebuild over; following its progress (Ctrl-C leaves it running there)`);
  let lastMove = Date.now();
  let lastLine = Date.now();
  for (;;) {
    if (!seen) throw new Error(`${target}: the leader dropped generation ${generation} (a newer rebuild or version replaced it); see seams projections status`);
    if (seen.serving) {
      io.err(`${target}: rebuilt by the leader and swapped in as generation ${generation}`);
      return 'done';
    }
    if (seen.state === 'failed') throw new Error(`${target}: the rebuild stopped at position ${seen.errorPosition ?? seen.position}: ${seen.error}`);
    if (Date.now() - lastMove > STALLED_MS) {
      io.err(`${target}: the leader stopped building at position ${seen.position}; building the rest here`);
      return 'build-here';
    }
    if (Date.now() - lastLine > 5000) {
      lastLine = Date.now();
      io.err(`${target}: the leader is at position ${seen.position}`);
    }
    await sleep(250);
    const next = await loadGeneration(db, projection, generation);
    if (next?.position !== seen.position || next?.serving !== seen.serving) lastMove = Date.now();
    seen = next;
  }
}
