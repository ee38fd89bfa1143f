import type { CommandContract, CommandData } from '../contracts/commands.js';
import type { EventContract } from '../contracts/events.js';
import type { QueryArgs, QueryContract, QueryResult } from '../contracts/queries.js';
import type { ProjectionDefinition } from '../projections/defineProjection.js';
import type { ModuleContext } from './moduleContext.js';
import type { RouteDefinition } from '../http/route.js';
import type { ProcessDefinition } from '../processes/defineProcess.js';

/** Who asked, for metadata and idempotency: a command handled twice with one id acts once. */
export interface CommandMeta {
  commandId: string;
  correlationId?: string;
  causationId?: string;
  actor?: string;
}

export interface CommandHandler<C extends CommandContract = CommandContract> {
  command: C;
  handle(ctx: ModuleContext, data: CommandData<C>, meta: CommandMeta): Promise<void>;
}

export interface QueryHandler<Q extends QueryContract = QueryContract> {
  query: Q;
  handle(ctx: ModuleContext, args: QueryArgs<Q>): Promise<QueryResult<Q>>;
}

export function handleCommand<C extends CommandContract>(
  command: C,
  handle: (ctx: ModuleContext, data: CommandData<C>, meta: CommandMeta) => Promise<void>,
): CommandHandler {
  return { command, handle } as CommandHandler;
}

export function answerQuery<Q extends QueryContract>(
  query: Q,
  handle: (ctx: ModuleContext, args: QueryArgs<Q>) => Promise<QueryResult<Q>>,
): QueryHandler {
  return { query, handle } as QueryHandler;
}

/** Extension points filled by later kernel parts (HTTP routes, process managers) without changing this shape. */
export interface ModuleExtensions {}

export interface ModuleDefinition extends ModuleExtensions {
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
  /** Other modules' public commands it sends: ctx.send refuses any other. */
  readonly sends: readonly CommandContract[];
  /** Other modules' queries it asks: ctx.query refuses any other. */
  readonly asks: readonly QueryContract[];
  /** HTTP routes, mounted under `/<module>`. */
  readonly routes: readonly RouteDefinition[];
  /** Process managers (sagas) of this module. */
  readonly processes: readonly ProcessDefinition[];
}

const MODULE_NAME = /^[a-z][a-z0-9-]*$/;
const STREAM_KIND = /^[a-z][a-zA-Z0-9]*$/;

export type ModuleSpec = Pick<ModuleDefinition, 'name'> & Partial<Omit<ModuleDefinition, 'name'>>;

/** Declares a module. Cross-module rules are checked when modules start together (ownership.ts). */
export function defineModule<const S extends ModuleSpec>(spec: S): ModuleDefinition & S {
  if (!MODULE_NAME.test(spec.name)) throw new TypeError(`module name "${spec.name}" must be lower-kebab-case`);
  for (const kind of spec.streams ?? []) {
    if (!STREAM_KIND.test(kind)) throw new TypeError(`module ${spec.name}: stream kind "${kind}" must be camelCase letters and digits`);
  }
  return {
    publicEvents: [],
    privateEvents: [],
    streams: [],
    commands: [],
    queries: [],
    projections: [],
    sends: [],
    asks: [],
    routes: [],
    processes: [],
    ...spec,
  };
}

/** The stream name prefix of one of a module's stream kinds. */
export const streamPrefix = (module: string, kind: string) => `${module}.${kind}-`;
export const ownEvents = (module: ModuleDefinition) => [...module.publicEvents, ...module.privateEvents];

/** Everything in a module that reads the log: its projections and its processes. */
export function readers(module: ModuleDefinition): { kind: 'projection' | 'process'; name: string; consumes: readonly EventContract[] }[] {
  return [
    ...module.projections.map((p) => ({ kind: 'projection' as const, name: p.name, consumes: p.consumes })),
    ...module.processes.map((p) => ({ kind: 'process' as const, name: p.name, consumes: p.reactions.map((r) => r.contract) })),
  ];
}
