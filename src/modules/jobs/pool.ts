import { UnavailableError, WrongExpectedRevisionError, newEvent, type AppendResult, type Decider, type EventOf, type ModuleContext } from '../../kernel/index.js';
import { jobsConfig } from './config.js';
import { SlotReleased, SlotReserved, SlotWaitAbandoned, SlotWaitStarted, type PoolEvent } from './events.js';

/**
 * A job type's pool of slots. Its truth is one stream per type (`jobs.pool-<type>`): every
 * reservation, release and place in the waiting line is an event there, appended with the
 * revision it was decided on, so two schedulers — in one process or in several — can never
 * both take the last slot: one of them gets a conflict, reloads and decides again.
 */
export interface Pool {
  /** Jobs holding a slot. */
  reserved: Set<string>;
  /** Jobs waiting for a slot, first in line first. */
  waiting: Set<string>;
}

export type PoolCommand = { kind: 'reserve'; type: string; jobId: string; size: number } | { kind: 'release'; type: string; jobId: string; size: number };

/** Slots for the first jobs in line while the pool has room (`taken` slots are already promised). */
function promote(pool: Pool, type: string, size: number, taken: number): EventOf[] {
  const events: EventOf[] = [];
  for (const jobId of pool.waiting) {
    if (taken + events.length >= size) break;
    events.push(newEvent(SlotReserved, { type, jobId }));
  }
  return events;
}

/**
 * The pool's rules: never more reserved slots than `size`; a full pool puts the job in line; a
 * release hands the slot to the first in line in the same append. Both commands are idempotent.
 * (The size is configuration, not history: a pool that shrank keeps its extra reservations
 * until they are released; one that grew lets its line in at its next reservation or release.)
 *
 * `evolve` folds in place: a pool's state is only ever built from `initialState()` by one
 * loader at a time (poolSnapshot below keeps a running fold per stream).
 */
export const pool: Decider<Pool, PoolCommand, PoolEvent> = {
  initialState: () => ({ reserved: new Set(), waiting: new Set() }),
  evolve(state, event) {
    const { jobId } = event.data;
    switch (event.type) {
      case SlotReserved.type:
        state.waiting.delete(jobId);
        state.reserved.add(jobId);
        break;
      case SlotWaitStarted.type:
        state.waiting.add(jobId);
        break;
      case SlotReleased.type:
        state.reserved.delete(jobId);
        break;
      case SlotWaitAbandoned.type:
        state.waiting.delete(jobId);
        break;
    }
    return state;
  },
  decide(command, state) {
    const { type, jobId, size } = command;
    if (command.kind === 'reserve') {
      if (state.reserved.has(jobId) || state.waiting.has(jobId)) return [];
      const promoted = promote(state, type, size, state.reserved.size);
      const room = state.reserved.size + promoted.length < size;
      return [...promoted, newEvent(room ? SlotReserved : SlotWaitStarted, { type, jobId })];
    }
    if (state.reserved.has(jobId)) return [newEvent(SlotReleased, { type, jobId }), ...promote(state, type, size, state.reserved.size - 1)];
    if (state.waiting.has(jobId)) return [newEvent(SlotWaitAbandoned, { type, jobId })];
    return [];
  },
};

/** The pool size of every job type: JOBS_POOL_SIZE (default 100). */
export const poolSize = (ctx: Pick<ModuleContext, 'settings'>): number => jobsConfig.of(ctx).JOBS_POOL_SIZE;

interface Snapshot {
  pool: Pool;
  revision: number;
}

/**
 * Running folds of pool streams, per module database handle (one per running module). A pool
 * stream grows by a few events per job; folding it from the start for every decision would
 * cost O(jobs) each time. The fold is only a cache: each use first reads what was appended
 * after it (by anyone, in any process), and a conflict drops it. It holds the pools used last,
 * at most MAX_CACHED_POOLS: a client asking for ever new types cannot grow it.
 */
const snapshots = new WeakMap<object, Map<string, Snapshot>>();
export const MAX_CACHED_POOLS = 1000;

/** How many pools' folds the module keeps now (at most MAX_CACHED_POOLS). */
export const cachedPoolCount = (ctx: ModuleContext) => snapshots.get(ctx.db)?.size ?? 0;

function cacheOf(ctx: ModuleContext): Map<string, Snapshot> {
  let cache = snapshots.get(ctx.db);
  if (!cache) snapshots.set(ctx.db, (cache = new Map()));
  return cache;
}

/** Brings the stream's fold up to date, then runs `use` on it synchronously (no other fold can interleave). */
async function withPool<T>(ctx: ModuleContext, type: string, use: (pool: Pool, revision: number) => T): Promise<T> {
  const stream = ctx.events.stream('pool', type);
  const cache = cacheOf(ctx);
  let snapshot = cache.get(stream);
  if (snapshot) cache.delete(stream); // put back below, as the one used last
  else if (cache.size >= MAX_CACHED_POOLS) cache.delete(cache.keys().next().value!);
  cache.set(stream, (snapshot ??= { pool: pool.initialState(), revision: -1 }));
  const fresh = await ctx.events.readStream(stream, { fromRevision: snapshot.revision + 1 });
  for (const event of fresh) {
    // Another caller may have folded some of these while this one was reading.
    if (event.revision <= snapshot.revision) continue;
    pool.evolve(snapshot.pool, event as PoolEvent); // a pool stream holds only pool events
    snapshot.revision = event.revision;
  }
  return use(snapshot.pool, snapshot.revision);
}

/** The pool's current state (read from its stream: the truth, not a projection). */
export function readPool(ctx: ModuleContext, type: string): Promise<{ reserved: number; waiting: number; revision: number }> {
  return withPool(ctx, type, (p, revision) => ({ reserved: p.reserved.size, waiting: p.waiting.size, revision }));
}

const MAX_CONFLICTS = 20;
/** Commands one append decides at most. */
const MAX_TOGETHER = 100;

interface Asked {
  command: PoolCommand;
  resolve(outcome: PoolOutcome): void;
  reject(error: unknown): void;
}
type PoolOutcome = { appended: EventOf[]; result: AppendResult | null };

/** Per module database handle and pool stream: the commands waiting for the decision under way in this process. */
const lines = new WeakMap<object, Map<string, Asked[]>>();

/**
 * Decides a pool command on the pool's current state and appends with that state's revision.
 * Decisions on one pool take turns within a process, and the commands that arrive while one is
 * being appended are decided together next, in the order they came, each on the state the ones
 * before it leave, and appended in one append: one sync of the log for them all, where each had
 * waited for its own (under bench:jobs every job of a type passed this one at a time). A
 * conflict with another process (it appended first) is decided again on the new state, after a
 * short random pause; after many in a row it gives up with a transient error, which the callers'
 * outboxes retry with backoff.
 */
export function handlePool(ctx: ModuleContext, command: PoolCommand): Promise<PoolOutcome> {
  const stream = ctx.events.stream('pool', command.type);
  let waiting = lines.get(ctx.db);
  if (!waiting) lines.set(ctx.db, (waiting = new Map()));
  const line = waiting.get(stream);
  return new Promise<PoolOutcome>((resolve, reject) => {
    if (line) return void line.push({ command, resolve, reject });
    const first: Asked[] = [{ command, resolve, reject }];
    waiting.set(stream, first);
    void decideInTurn(ctx, stream, first, waiting);
  });
}

/** Decides the line's commands, a group at a time, until none are waiting. */
async function decideInTurn(ctx: ModuleContext, stream: string, line: Asked[], lineOf: Map<string, Asked[]>): Promise<void> {
  while (line.length > 0) {
    const group = line.splice(0, MAX_TOGETHER);
    try {
      const outcomes = await decideTogether(ctx, stream, group.map((asked) => asked.command));
      group.forEach((asked, i) => asked.resolve(outcomes[i]!));
    } catch (error) {
      for (const asked of group) asked.reject(error);
    }
  }
  lineOf.delete(stream);
}

async function decideTogether(ctx: ModuleContext, stream: string, commands: PoolCommand[]): Promise<PoolOutcome[]> {
  const type = commands[0]!.type;
  for (let attempt = 1; ; attempt++) {
    const { decided, revision } = await withPool(ctx, type, (p, revision) => {
      if (commands.length === 1) return { decided: [pool.decide(commands[0]!, p)], revision };
      // Several: each decides on what the ones before it leave, on a copy (the fold stays what the log holds until the append is in).
      const state = { reserved: new Set(p.reserved), waiting: new Set(p.waiting) };
      return { decided: commands.map((c) => pool.decide(c, state).map((e) => (pool.evolve(state, e as PoolEvent), e))), revision };
    });
    const appended = decided.flat();
    if (appended.length === 0) return decided.map(() => ({ appended: [], result: null }));
    try {
      const result = await ctx.events.append(stream, appended, { expectedRevision: revision === -1 ? 'no_stream' : revision });
      return decided.map((events) => ({ appended: events, result: events.length > 0 ? result : null }));
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      // Reload from the start: the stream may also be shorter than the fold (a restored log).
      cacheOf(ctx).delete(stream);
      if (attempt >= MAX_CONFLICTS) throw new UnavailableError(`pool ${type} is busy: ${attempt} conflicting appends in a row`);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
    }
  }
}
