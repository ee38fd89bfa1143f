import { NotFoundError, PreconditionFailedError, WrongExpectedRevisionError } from '../errors.js';
import type { EventMetadata } from '../types/eventStore.js';
import type { Decider, Decision, ModuleEvents } from '../types/module.js';

/** Reads the stream's current state. `revision` is -1 for a stream that does not exist. */
export async function loadState<State>(events: ModuleEvents, stream: string, decider: Pick<Decider<State, unknown, any>, 'initialState' | 'evolve'>) {
  const past = await events.readStream(stream);
  const state = past.reduce((s, e) => decider.evolve(s, e), decider.initialState());
  return { state, revision: past.length > 0 ? past[past.length - 1]!.revision : -1 };
}

export interface DecideOptions<State = any> {
  /**
   * Whether the caller may see the aggregate: when not, it does not exist for them (404, like an
   * unknown id, so ids cannot be probed), checked before If-Match and before deciding.
   */
  visible?: (state: State) => boolean;
  /** An HTTP If-Match revision: it must equal the stream's current revision (412 otherwise, nothing appended). */
  ifMatch?: number;
  metadata?: Omit<EventMetadata, 'module'>;
  /** A conflict with a concurrent writer is decided again on the new state, this many times. */
  conflictRetries?: number;
  /**
   * The stream's id was made for this command (a new job's, say): the first attempt decides on the
   * initial state without reading the stream, and appends with `no_stream`. A repeat of the same
   * request (under its Idempotency-Key) appends the same events, which the log takes once; any
   * other writer already there is a conflict, decided again on what the stream holds.
   */
  newStream?: boolean;
}

/**
 * Loads, decides and appends with the revision it read, so a concurrent change is a conflict,
 * never a lost update. With `conflictRetries`, a conflict is decided again on the new state (for
 * commands whose outcome may depend on it; a stale If-Match then fails its check, 412). Each aggregate's
 * `handle<Aggregate>` is this, on its own stream.
 */
export async function decideAndAppend<State, Command>(
  events: ModuleEvents,
  stream: string,
  decider: Decider<State, Command, any>,
  command: Command,
  options: DecideOptions<State> = {},
): Promise<Decision<State>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await decideOnce(events, stream, decider, command, options, options.newStream === true && attempt === 0);
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= (options.conflictRetries ?? 0)) throw error;
    }
  }
}

async function decideOnce<State, Command>(events: ModuleEvents, stream: string, decider: Decider<State, Command, any>, command: Command, options: DecideOptions<State>, unread: boolean): Promise<Decision<State>> {
  const { state, revision } = unread ? { state: decider.initialState(), revision: -1 } : await loadState(events, stream, decider);
  if (options.visible && !options.visible(state)) throw new NotFoundError(`no ${describeStream(stream)}`);
  if (options.ifMatch !== undefined && options.ifMatch !== revision) {
    throw new PreconditionFailedError(`If-Match: revision ${options.ifMatch} is not the current revision ${revision} of ${stream}`);
  }
  const appended = decider.decide(command, state);
  if (appended.length === 0) return { state, revision, appended, result: null };
  const result = await events.append(stream, appended, {
    expectedRevision: revision === -1 ? 'no_stream' : revision,
    metadata: options.metadata,
  });
  return { state, revision, appended, result };
}

/** `customers.customer-<id>` → `customer <id>`. */
function describeStream(stream: string): string {
  const match = /^[^.]+\.([A-Za-z0-9]+)-(.+)$/.exec(stream);
  return match ? `${match[1]} ${match[2]}` : stream;
}
