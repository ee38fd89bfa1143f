import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { ProjectionDefinition } from '../types/projection.js';
import { createGeneration, dropGeneration, loadGenerations, lookGenerations, physicalTables, swap, type Generation } from './generations.js';

/**
 * How long a swapped-out generation's tables stay after the swap. Other processes serving reads
 * (a server while the CLI rebuilt, a cluster's followers) notice a swap within a second; until
 * they do, their reads go to the old tables, which must still be there.
 */
export const RETIRED_GRACE_MS = 10_000;

const pastGrace = (g: Generation & { updatedAt?: number }, now: number) => g.state !== 'retired' || (g.updatedAt ?? 0) + RETIRED_GRACE_MS <= now;

/**
 * A projection's serving generation (what reads use) and, during a version change or a rebuild,
 * the generation being built beside it. Only the module's leader creates, drops and swaps;
 * followers only read them (`refresh`).
 */
export class ProjectionGenerations {
  serving: Generation | undefined;
  building: Generation | undefined;
  private readonly named = new Map<number, Readonly<Record<string, string>>>();

  constructor(
    private readonly definition: ProjectionDefinition,
    private readonly db: Knex,
    private readonly log: Logger,
  ) {}

  /** The generation the runner feeds: the one being built, else the serving one. */
  get active(): Generation {
    return (this.building ?? this.serving)!;
  }

  /** Physical names of a generation's tables, named once per generation (reads ask on every request). */
  tablesOf(generation: number): Readonly<Record<string, string>> {
    let tables = this.named.get(generation);
    if (!tables) this.named.set(generation, (tables = Object.freeze(physicalTables(this.definition, generation))));
    return tables;
  }

  /**
   * Loads (or creates) the generations. A building generation of the current version is resumed
   * (an interrupted rebuild goes on); one of another version is dropped; a serving generation of
   * an older version gets a new building generation beside it.
   */
  async load(): Promise<void> {
    const generations = await loadGenerations(this.db, this.definition.name);
    this.serving = generations.find((g) => g.serving) ?? (await createGeneration(this.db, this.definition, true));
    this.building = undefined;
    const now = Date.now();
    for (const g of generations.filter((g) => !g.serving)) {
      if (!this.building && g.state === 'building' && g.version === this.definition.version) this.building = g;
      else if (pastGrace(g, now)) await dropGeneration(this.db, this.definition, g.generation);
    }
    if (this.serving.version !== this.definition.version && !this.building) {
      this.log.info({ projection: this.definition.name, from: this.serving.version, to: this.definition.version }, 'projection version changed: rebuilding beside the serving generation');
      this.building = await createGeneration(this.db, this.definition, false);
    }
  }

  /** Starts a fresh rebuild of the current version into a new generation; the serving one keeps answering. */
  async rebuild(): Promise<void> {
    await this.load();
    if (this.building) await dropGeneration(this.db, this.definition, this.building.generation);
    this.building = await createGeneration(this.db, this.definition, false);
  }

  /** Resumes a rebuild left by an interrupted run, or starts one. Returns the position it starts from. */
  async resumeOrRebuild(): Promise<number> {
    await this.load();
    this.building ??= await createGeneration(this.db, this.definition, false);
    return this.building.position;
  }

  /** Reads the generations as they are, changing nothing (a follower must not create or drop). */
  async refresh(): Promise<void> {
    const generations = await loadGenerations(this.db, this.definition.name);
    const serving = generations.find((g) => g.serving);
    if (serving) this.serving = serving;
    this.building = generations.find((g) => !g.serving && g.state === 'building');
  }

  /**
   * Whether another process changed the generations under this one (the CLI created a building
   * generation, or swapped one in): then the caller reloads. Also drops generations retired
   * longer than the grace period ago. Only the module's leader calls it.
   */
  async changedElsewhere(): Promise<boolean> {
    const generations = await lookGenerations(this.db, this.definition.name);
    const serving = generations.find((g) => g.serving);
    const building = generations.find((g) => !g.serving && g.state === 'building' && g.version === this.definition.version);
    if (serving?.generation !== this.serving?.generation || building?.generation !== this.building?.generation) return true;
    const now = Date.now();
    for (const g of generations) if (g.state === 'retired' && pastGrace(g, now)) await dropGeneration(this.db, this.definition, g.generation);
    return false;
  }

  /**
   * Makes the caught-up building generation the serving one. The old one is retired, not
   * dropped: processes still reading it drop it once they have noticed (see RETIRED_GRACE_MS).
   */
  async swapIn(): Promise<void> {
    const building = this.building!;
    await swap(this.db, this.definition.name, building.generation);
    building.serving = true;
    building.state = 'live';
    this.serving = building;
    this.building = undefined;
    this.log.info({ projection: this.definition.name, generation: building.generation }, 'rebuilt projection swapped in');
  }
}
