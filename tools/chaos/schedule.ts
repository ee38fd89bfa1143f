/**
 * The campaign's randomness, all from one seed: the same `--seed` gives the same workload choices
 * and the same fault schedule, so a failing run can be repeated. (Timing still varies from run to
 * run: processes start and answer when they do.)
 */

/** mulberry32: small, fast, and good enough to pick faults and requests. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A choice weighted by the numbers given. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    let left = this.next() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [key, weight] of entries) {
      left -= weight;
      if (left < 0) return key;
    }
    return entries.at(-1)![0];
  }

  /** A random generator of its own, derived from this one (so two consumers don't shift each other's draws). */
  fork(): Random {
    return new Random(Math.floor(this.next() * 4294967296));
  }
}

export const FAULT_KINDS = ['kill', 'pause', 'storm', 'db', 'restore', 'rebuild'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  /** Milliseconds after the workload starts. */
  atMs: number;
  kind: FaultKind;
  /** Which member (index) or module it targets, decided now so the seed fixes it. */
  member: number;
  module: string;
  /** Whether the gateway rather than a member is killed (kill only). */
  gateway: boolean;
}

export interface ScheduleOptions {
  durationMs: number;
  kinds: readonly FaultKind[];
  members: number;
  modules: readonly string[];
  /** Mean pause between faults. */
  meanGapMs: number;
}

/**
 * The faults of a run, in time order: one every `meanGapMs` on average (±50 %), none in the first
 * and last tenth of the run, so the workload starts healthy and the last fault has time to heal.
 */
export function planFaults(random: Random, options: ScheduleOptions): PlannedFault[] {
  const faults: PlannedFault[] = [];
  if (options.kinds.length === 0) return faults;
  const end = options.durationMs * 0.9;
  for (let at = options.durationMs * 0.1; ; ) {
    at += options.meanGapMs * (0.5 + random.next());
    if (at >= end) break;
    faults.push({
      atMs: Math.round(at),
      kind: random.pick(options.kinds),
      member: random.int(0, options.members - 1),
      module: random.pick(options.modules),
      gateway: random.chance(0.2),
    });
  }
  return faults;
}
