import type { z } from 'zod';
import type { CommandContract, CommandData, EventContract, EventOf, QueryArgs, QueryContract, QueryResult } from './contracts.js';
import type { AppendResult, RecordedEvent } from './eventStore.js';
import type { CommandMeta, ModuleContext } from './context.js';
import type { RouteDefinition } from './http.js';
import type { ProcessDefinition } from './process.js';
import type { ProjectionDefinition } from './projection.js';

export type { CommandMeta, ModuleAppendOptions, ModuleContext, ModuleEvents, SendOptions } from './context.js';

export interface CommandHandler<C extends CommandContract = CommandContract> {
  command: C;
  /** `ctx.events` stamps what it appends with the command's correlation id, cause and actor. */
  handle(ctx: ModuleContext, data: CommandData<C>, meta: CommandMeta): Promise<void>;
}

export interface QueryHandler<Q extends QueryContract = QueryContract> {
  query: Q;
  handle(ctx: ModuleContext, args: QueryArgs<Q>): Promise<QueryResult<Q>>;
}

/** A module's own settings: environment variables it declares, parsed (and refused with one line) at start. */
export interface ModuleConfig<S extends z.ZodObject = z.ZodObject> {
  readonly schema: S;
  /** The settings as parsed at start, typed. */
  of(holder: { settings: unknown }): z.output<S>;
}

export interface ModuleDefinition {
  readonly name: string;
  /** Events other modules may consume: exactly the ones its contracts.ts lists as public. */
  readonly publicEvents: readonly EventContract[];
  /** Events only this module may read. */
  readonly privateEvents: readonly EventContract[];
  /** Stream kinds it appends to: `item` means streams named `<module>.item-<id>`. */
  readonly streams: readonly string[];
  readonly commands: readonly CommandHandler[];
  readonly queries: readonly QueryHandler[];
  readonly projections: readonly ProjectionDefinition[];
  /** Other modules' public commands it sends: those of its processes, and any `ctx.send` needs besides. */
  readonly sends: readonly CommandContract[];
  /** Other modules' queries it asks: ctx.query refuses any other. */
  readonly asks: readonly QueryContract[];
  /** HTTP routes, mounted under `/<module>`. */
  readonly routes: readonly RouteDefinition[];
  /** Process managers (sagas) of this module. */
  readonly processes: readonly ProcessDefinition[];
  /** Its settings (environment variables), when it has any. */
  readonly config?: ModuleConfig;
  /**
   * Set by the module that issues credentials (identity): its events that revoke them. The kernel
   * keeps an access replica from them in every module with routes that need a credential.
   */
  readonly credentials?: CredentialEvents;
  /** Commands it adds to the `seams` CLI (identity: `seams users grant-operator <email>`). */
  readonly cli?: readonly ModuleCliCommand[];
  /**
   * The folder of its own migrations, in the application (`migrations/<module>/`), run on its
   * database after the kernel's: `new URL('../../../migrations/identity/', import.meta.url)`.
   */
  readonly migrations?: URL | string;
}

/**
 * A `seams` command a module adds, run on the module's context (its database and events) of the
 * data directory, with or without a server running: `users grant-operator <email>`.
 */
export interface ModuleCliCommand {
  /** Group and name, e.g. `users grant-operator`. */
  readonly name: `${string} ${string}`;
  readonly description: string;
  /** Positional arguments, in order (all required). */
  readonly args: readonly string[];
  /** Does the work; returns the line to print. A SeamsError it throws is one line and a non-zero exit. */
  run(ctx: ModuleContext, args: Readonly<Record<string, string>>): Promise<string>;
}

/**
 * The events that revoke credentials, as the kernel reads them: each module rejects what they
 * revoke on its own, without asking the issuer.
 */
export interface CredentialEvents {
  /** Ends one session: its token is rejected afterwards (a logout). */
  readonly endsSession: EventContract<string, z.ZodType<{ sessionId: string }>>;
  /** Revokes one service token. */
  readonly revokesServiceToken: EventContract<string, z.ZodType<{ tokenId: string }>>;
  /**
   * Takes a role from a user, on a stream of the user's roles: every token of that user issued
   * at a lower revision of that stream (its `rolesRevision`) is rejected afterwards.
   */
  readonly revokesRoles: EventContract<string, z.ZodType<{ userId: string }>>;
}

/** Pure business logic of one aggregate: fold past events into state, decide new events. */
export interface Decider<State, Command, Event extends RecordedEvent = RecordedEvent<any>> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  /** Returns the events to append (built with `newEvent`), or throws a SeamsError (e.g. ConflictError) to refuse. */
  decide(command: Command, state: State): EventOf[];
}

export interface Decision<State> {
  /** State before the command. */
  state: State;
  /** Revision the events were appended after (-1: new stream). */
  revision: number;
  appended: EventOf[];
  /** Null when the command decided nothing. */
  result: AppendResult | null;
}

/** A broken rule of ownership (DESIGN.md, "Rules of ownership"). */
export interface Violation {
  module: string;
  rule: string;
  message: string;
  /** The name it is about (a message type, stream kind or projection), so a linter can point at its line. */
  subject?: string;
}
