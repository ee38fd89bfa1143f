import type { Knex } from 'knex';
import type { CommandContract, CommandData } from '../contracts/commands.js';
import type { EventContract, EventData } from '../contracts/events.js';
import type { RecordedEvent } from '../event-store/types.js';
import type { SeamsConfig } from '../config.js';

/**
 * A process manager (saga): a durable sequence of local steps across modules. Events start and
 * advance an instance (keyed by an id); each handler returns what to do next — commands to send
 * (delivered by an outbox, with retries), timers, steps to remember for compensation — and the
 * kernel stores it with the instance state, in the same transaction as the process's checkpoint.
 */

export interface OutgoingCommand {
  command: CommandContract;
  data: unknown;
}

/** What a handler decides. Everything here is written in one transaction, or not at all. */
export interface ProcessStep<State> {
  /** The new state (omit to keep it). */
  state?: State;
  /** A label of where the instance is, for people (`GET /admin/processes`). */
  step?: string;
  /** Commands for the outbox, sent in order, each with a command id derived from the instance. */
  send?: OutgoingCommand[];
  /** A step that is now done, with the command that undoes it during compensation. */
  remember?: { step: string; undo: OutgoingCommand };
  /** Durable timers: a timer due while the server was down fires after the restart. */
  schedule?: { name: string; at: Date }[];
  cancel?: string[];
  /** Undo the remembered steps, last first, one at a time; then `onCompensated` runs. */
  compensate?: boolean;
  /** Ends the instance with this status (its timers are dropped). */
  end?: 'completed' | 'failed' | 'compensated';
}

export interface ProcessTx {
  db: Knex.Transaction;
  /** Physical tables of the module's projections (for replica reads inside the transaction). */
  tables(projection: string): Record<string, string>;
  /** The deployment's configuration (read-only), e.g. for how long to wait before a timer fires. */
  config: Readonly<SeamsConfig>;
  now: Date;
}

/** What the kernel hands a process besides the transaction: its module's tables and the configuration. */
export type ProcessEnv = Pick<ProcessTx, 'tables' | 'config'>;

export type ProcessInput =
  | { kind: 'event'; event: RecordedEvent }
  | { kind: 'timer'; name: string }
  | { kind: 'commandFailed'; command: string; error: string }
  | { kind: 'compensated' };

export interface EventReaction<State> {
  contract: EventContract;
  /** Start a new instance with this id (no-op if it exists). */
  start?: (event: RecordedEvent<any>) => string;
  /** Advance the instance with this id, if it exists and is running. */
  id?: (event: RecordedEvent<any>) => string;
  /** Advance every running instance whose correlation key is this. */
  correlate?: (event: RecordedEvent<any>) => string;
  handle(state: State, event: RecordedEvent<any>, tx: ProcessTx): Promise<ProcessStep<State>> | ProcessStep<State>;
}

export interface ProcessDefinition<State = any> {
  readonly name: string;
  readonly version: number;
  initialState(id: string): State;
  /** The key other events correlate on (e.g. the order's customer id), from the state. */
  correlationKey?(state: State): string | undefined;
  readonly reactions: readonly EventReaction<State>[];
  onTimer?(state: State, name: string, tx: ProcessTx): Promise<ProcessStep<State>> | ProcessStep<State>;
  onCommandFailed?(state: State, failure: { command: string; error: string }, tx: ProcessTx): Promise<ProcessStep<State>> | ProcessStep<State>;
  onCompensated?(state: State, tx: ProcessTx): Promise<ProcessStep<State>> | ProcessStep<State>;
  /** Projections of the module this process reads: each batch waits until they have caught up. */
  readonly waitsFor: readonly string[];
  /**
   * Commands of different instances the outbox may deliver at once (default 1: one after the
   * other). One instance's commands are always delivered in order, one at a time.
   */
  readonly concurrency: number;
  /** This process's own delivery retries; what it leaves out, the engine's options decide. */
  readonly retry?: RetryPolicy;
  /** Commands it may send (other modules' public ones, or its own module's). */
  readonly sends: readonly CommandContract[];
}

/** A reaction typed by its event contract. */
export function react<C extends EventContract, State>(
  contract: C,
  how: { start?: (e: RecordedEvent<EventData<C>>) => string; id?: (e: RecordedEvent<EventData<C>>) => string; correlate?: (e: RecordedEvent<EventData<C>>) => string },
  handle: (state: State, event: RecordedEvent<EventData<C>>, tx: ProcessTx) => Promise<ProcessStep<State>> | ProcessStep<State>,
): EventReaction<State> {
  const ways = [how.start, how.id, how.correlate].filter(Boolean).length;
  if (ways !== 1) throw new TypeError(`reaction to ${contract.type}: give exactly one of start, id, correlate`);
  return { contract, ...how, handle } as EventReaction<State>;
}

/** A typed outgoing command. */
export function command<C extends CommandContract>(contract: C, data: CommandData<C>): OutgoingCommand {
  return { command: contract, data };
}

/** How a failed command delivery is retried: exponential backoff from `backoffMs`, capped at `maxBackoffMs`, `maxAttempts` deliveries in all. */
export interface RetryPolicy {
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
}

export function defineProcess<State>(definition: {
  name: string;
  version?: number;
  initialState(id: string): State;
  correlationKey?(state: State): string | undefined;
  reactions: EventReaction<State>[];
  onTimer?: ProcessDefinition<State>['onTimer'];
  onCommandFailed?: ProcessDefinition<State>['onCommandFailed'];
  onCompensated?: ProcessDefinition<State>['onCompensated'];
  waitsFor?: string[];
  concurrency?: number;
  retry?: RetryPolicy;
  sends: CommandContract[];
}): ProcessDefinition<State> {
  if (!/^[a-z][a-z0-9_]*$/.test(definition.name)) throw new TypeError(`process name "${definition.name}" must be lower_snake_case`);
  const types = definition.reactions.map((r) => r.contract.type);
  if (new Set(types).size !== types.length) throw new TypeError(`process ${definition.name}: two reactions to one event type`);
  if (definition.concurrency !== undefined && (!Number.isInteger(definition.concurrency) || definition.concurrency < 1)) {
    throw new TypeError(`process ${definition.name}: concurrency must be a whole number >= 1`);
  }
  for (const [key, value] of Object.entries(definition.retry ?? {})) {
    const least = key === 'maxAttempts' ? 1 : 0;
    if (!Number.isInteger(value) || value < least) throw new TypeError(`process ${definition.name}: retry.${key} must be a whole number >= ${least}`);
  }
  return { version: 1, waitsFor: [], concurrency: 1, ...definition };
}
