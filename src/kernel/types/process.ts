import type { Knex } from 'knex';
import type { CommandContract, EventContract, RecordedEventOf } from './contracts.js';
import type { SeamsConfig } from './config.js';
import type { RecordedEvent } from './eventStore.js';
import type { HasTables } from './projection.js';

/**
 * A process manager (saga): a durable sequence of local steps across modules. Events start and
 * advance an instance (keyed by an id); for each, the process first reads what it needs (`read`,
 * inside the batch's transaction) and then decides purely (`decide`) what to do next: commands
 * to send (delivered by an outbox, with retries), timers, steps to remember for compensation.
 * The kernel stores the step with the instance state, in the same transaction as the checkpoint.
 */

export interface OutgoingCommand<C extends CommandContract = CommandContract> {
  command: C;
  data: unknown;
}

/** A durable timer: due at `at`, or `afterMs` after the step that schedules it. */
export type TimerRequest = { name: string; at: Date } | { name: string; afterMs: number };

/** What a decision says. Everything here is written in one transaction, or not at all. */
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
  schedule?: TimerRequest[];
  cancel?: string[];
  /** Undo the remembered steps, last first, one at a time; then `onCompensated` runs. */
  compensate?: boolean;
  /** Ends the instance with this status (its timers are dropped). */
  end?: 'completed' | 'failed' | 'compensated';
}

/** What `read` gets: the batch's transaction, the module's tables, and its settings. */
export interface ProcessTx {
  db: Knex.Transaction;
  /** Physical tables of the module's projections (for replica reads inside the transaction). */
  tables<T extends string>(of: HasTables<T>): Record<T, string>;
  tables(projection: string): Record<string, string>;
  /** The deployment's configuration (read-only). */
  config: Readonly<SeamsConfig>;
  /** The module's own settings (read them typed with its defineConfig(...).of(tx)). */
  settings: unknown;
  now: Date;
}

export type ProcessInput =
  | { kind: 'event'; event: RecordedEvent }
  | { kind: 'timer'; name: string }
  | { kind: 'commandFailed'; command: string; error: string }
  | { kind: 'compensated' };

export interface EventReaction<State, Facts = any> {
  contract: EventContract;
  /** Start a new instance with this id (no-op if it exists). */
  start?: (event: RecordedEvent<any>) => string;
  /** Advance the instance with this id, if it exists and is running. */
  id?: (event: RecordedEvent<any>) => string;
  /** Advance every running instance whose correlation key is this. */
  correlate?: (event: RecordedEvent<any>) => string;
  /** What the decision needs to know besides the event (replica rows, settings), read in the batch's transaction. */
  read?: (event: RecordedEvent<any>, tx: ProcessTx, state: State) => Promise<Facts> | Facts;
  /** Pure: the next step from the state, the event and what `read` found. */
  decide(state: State, event: RecordedEvent<any>, facts: Facts): ProcessStep<State>;
}

/** A reaction typed by its event contract (what `react` builds). */
export interface TypedReaction<C extends EventContract, State, Facts> {
  start?: (e: RecordedEventOf<C>) => string;
  id?: (e: RecordedEventOf<C>) => string;
  correlate?: (e: RecordedEventOf<C>) => string;
  read?: (e: RecordedEventOf<C>, tx: ProcessTx, state: State) => Promise<Facts> | Facts;
  decide(state: State, e: RecordedEventOf<C>, facts: Facts): ProcessStep<State>;
}

/** A due timer: read what it needs, then decide. */
export interface TimerReaction<State, Facts = any> {
  read?: (state: State, name: string, tx: ProcessTx) => Promise<Facts> | Facts;
  decide(state: State, name: string, facts: Facts): ProcessStep<State>;
}

/** How a failed command delivery is retried: exponential backoff from `backoffMs`, capped at `maxBackoffMs`, `maxAttempts` deliveries in all. */
export interface RetryPolicy {
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface ProcessDefinition<State = any> {
  readonly name: string;
  readonly version: number;
  initialState(id: string): State;
  /** The key other events correlate on (e.g. the order's customer id), from the state. */
  correlationKey?(state: State): string | undefined;
  readonly reactions: readonly EventReaction<State>[];
  readonly onTimer?: TimerReaction<State>;
  /** A command given up (refused, or out of retries): pure, like every decision. */
  onCommandFailed?(state: State, failure: { command: string; error: string }): ProcessStep<State>;
  /** Every remembered step has been undone. */
  onCompensated?(state: State): ProcessStep<State>;
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

/** What people see of process instances: `GET /admin/processes` and `seams processes`. */
export interface InstanceSummary {
  type: string;
  module: string;
  id: string;
  status: string;
  step: string | null;
  /** Delivery attempts of the command it is waiting on (0 when none is pending). */
  attempts: number;
  /** When it next does something by itself: a retry or a timer (ISO), or null. */
  nextWakeAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface InstanceDetail extends InstanceSummary {
  state: unknown;
  completedSteps: unknown[];
  commands: { commandId: string; type: string; purpose: string; status: string; attempts: number; lastError: string | null; correlationId: string | null; causationId: string | null }[];
  timers: { name: string; dueAt: string }[];
}

/** A command a process sent, as an operator sees it: in a conversation, or set aside. */
export interface CommandSummary {
  type: string;
  module: string;
  /** The instance that sent it. */
  instance: string;
  commandId: string;
  command: string;
  purpose: string;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  correlationId: string | null;
  causationId: string | null;
}

/** Instances of one process type by status, its outbox depth and its set-aside commands (for `/metrics`). */
export interface ProcessCounts {
  type: string;
  module: string;
  instances: Record<string, number>;
  outboxDepth: number;
  setAside: number;
}
