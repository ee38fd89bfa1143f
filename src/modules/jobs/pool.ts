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
/** Commands decided together at most. */
const MAX_TOGETHER = 100;

/** A command waiting for its decision, with the context of its own delivery (its events' ids and stamps come from it). */
interface Asked {
  ctx: ModuleContext;
  command: PoolCommand;
  resolve(outcome: PoolOutcome): void;
  reject(error: unknown): void;
}
type PoolOutcome = { appended: EventOf[]; result: AppendResult | null };

/** Per module database handle and pool stream: the commands waiting for the decisions under way in this process. */
const lines = new WeakMap<object, Map<string, Asked[]>>();

/**
 * Decides a pool command on the pool's current state and appends with that state's revision.
 * Decisions on one pool take turns within a process; the commands that arrive while some are
 * being appended are decided next together, in the order they came, each on the state the ones
 * before it leave, and appended at once, each by its own command (its event ids derive from its
 * command's id, so a command delivered again appends nothing new) with the revision the ones
 * before it lead to: the log's group commit takes them in one transaction, one sync for them
 * all, where each had waited for its own (under bench:jobs every job of a type passed this one
 * at a time). Those refused for a stale revision are decided again on the new state: another
 * process appended first, or a command before them turned out to be in the log already and
 * appended nothing. After many conflicts in a row it gives up with a transient error, which the
 * callers' outboxes retry with backoff.
 */
export function handlePool(ctx: ModuleContext, command: PoolCommand): Promise<PoolOutcome> {
  const stream = ctx.events.stream('pool', command.type);
  let waiting = lines.get(ctx.db);
  if (!waiting) lines.set(ctx.db, (waiting = new Map()));
  const line = waiting.get(stream);
  return new Promise<PoolOutcome>((resolve, reject) => {
    if (line) return void line.push({ ctx, command, resolve, reject });
    const first: Asked[] = [{ ctx, command, resolve, reject }];
    waiting.set(stream, first);
    void decideInTurn(stream, first, waiting);
  });
}

/** Decides the line's commands, a group at a time, until none are waiting. */
async function decideInTurn(stream: string, line: Asked[], lineOf: Map<string, Asked[]>): Promise<void> {
  while (line.length > 0) await decideTogether(stream, line.splice(0, MAX_TOGETHER));
  lineOf.delete(stream);
}

async function decideTogether(stream: string, group: Asked[]): Promise<void> {
  let pending = group;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const { ctx, command } = pending[0]!;
    let decided: EventOf[][];
    let revision: number;
    try {
      ({ decided, revision } = await withPool(ctx, command.type, (p, at) => {
        if (pending.length === 1) return { decided: [pool.decide(command, p)], revision: at };
        // Several: each decides on what the ones before it leave, on a copy (the fold stays what the log holds).
        const state = { reserved: new Set(p.reserved), waiting: new Set(p.waiting) };
        return { decided: pending.map((a) => pool.decide(a.command, state).map((e) => (pool.evolve(state, e as PoolEvent), e))), revision: at };
      }));
    } catch (error) {
      for (const asked of pending) asked.reject(error);
      return;
    }
    let expected = revision;
    const appends = pending.map((asked, i) => {
      const events = decided[i]!;
      if (events.length === 0) return Promise.resolve(null);
      const append = asked.ctx.events.append(stream, events, { expectedRevision: expected === -1 ? 'no_stream' : expected });
      expected += events.length;
      return append;
    });
    const outcomes = await Promise.allSettled(appends);
    const conflicted: Asked[] = [];
    outcomes.forEach((outcome, i) => {
      const asked = pending[i]!;
      if (outcome.status === 'fulfilled') asked.resolve({ appended: decided[i]!, result: outcome.value });
      else if (outcome.reason instanceof WrongExpectedRevisionError) conflicted.push(asked);
      else asked.reject(outcome.reason);
    });
    if (conflicted.length === 0) return;
    // Reload from the start: the stream may also be shorter than the fold (a restored log).
    cacheOf(ctx).delete(stream);
    // Some went in: those behind them only built on one that appended nothing. Again at once, as a first try.
    if (conflicted.length < pending.length) {
      pending = conflicted;
      attempt = 0;
      continue;
    }
    if (attempt >= MAX_CONFLICTS) {
      for (const asked of conflicted) asked.reject(new UnavailableError(`pool ${command.type} is busy: ${attempt} conflicting appends in a row`));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
    pending = conflicted;
  }
}
