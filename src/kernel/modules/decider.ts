import { PreconditionFailedError, WrongExpectedRevisionError } from '../errors.js';
import type { AppendResult, EventMetadata, RecordedEvent } from '../event-store/types.js';
import type { ModuleEvent, ModuleEvents } from './moduleEvents.js';

/** Pure business logic of one aggregate: fold past events into state, decide new events. */
export interface Decider<State, Command> {
  initialState(): State;
  evolve(state: State, event: RecordedEvent<any>): State;
  /** Returns the events to append, or throws a SeamsError (e.g. ConflictError) to refuse. */
  decide(command: Command, state: State): ModuleEvent[];
}

export interface Decision<State> {
  /** State before the command. */
  state: State;
  /** Revision the events were appended after (-1: new stream). */
  revision: number;
  appended: ModuleEvent[];
  /** Null when the command decided nothing. */
  result: AppendResult | null;
}

/** Reads the stream's current state. `revision` is -1 for a stream that does not exist. */
export async function loadState<State>(events: ModuleEvents, stream: string, decider: Pick<Decider<State, unknown>, 'initialState' | 'evolve'>) {
  const past = await events.readStream(stream);
  const state = past.reduce((s, e) => decider.evolve(s, e), decider.initialState());
  return { state, revision: past.length > 0 ? past[past.length - 1]!.revision : -1 };
}

/**
 * Loads, decides and appends with the revision it read, so a concurrent change is a conflict,
 * never a lost update. `ifMatch` (an HTTP If-Match revision) must equal the current revision.
 * With `conflictRetries`, a conflict with a concurrent writer is decided again on the new state
 * (for commands whose outcome may depend on it, not for a client's If-Match).
 */
export async function decideAndAppend<State, Command>(
  events: ModuleEvents,
  stream: string,
  decider: Decider<State, Command>,
  command: Command,
  options: { ifMatch?: number; metadata?: Omit<EventMetadata, 'module'>; conflictRetries?: number } = {},
): Promise<Decision<State>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await decideOnce(events, stream, decider, command, options);
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= (options.conflictRetries ?? 0)) throw error;
    }
  }
}

async function decideOnce<State, Command>(
  events: ModuleEvents,
  stream: string,
  decider: Decider<State, Command>,
  command: Command,
  options: { ifMatch?: number; metadata?: Omit<EventMetadata, 'module'> },
): Promise<Decision<State>> {
  const { state, revision } = await loadState(events, stream, decider);
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
