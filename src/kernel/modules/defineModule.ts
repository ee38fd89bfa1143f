import type { CommandContract, CommandData, EventContract, QueryArgs, QueryContract, QueryResult } from '../types/contracts.js';
import type { CommandHandler, CommandMeta, ModuleContext, ModuleDefinition, QueryHandler } from '../types/module.js';

export function handleCommand<C extends CommandContract>(
  command: C,
  handle: (ctx: ModuleContext, data: CommandData<C>, meta: CommandMeta) => Promise<void>,
): CommandHandler {
  return { command, handle } as CommandHandler;
}

export function answerQuery<Q extends QueryContract>(query: Q, handle: (ctx: ModuleContext, args: QueryArgs<Q>) => Promise<QueryResult<Q>>): QueryHandler {
  return { query, handle } as QueryHandler;
}

const MODULE_NAME = /^[a-z][a-z0-9-]*$/;
const STREAM_KIND = /^[a-z][a-zA-Z0-9]*$/;

export type ModuleSpec = Pick<ModuleDefinition, 'name'> & Partial<Omit<ModuleDefinition, 'name'>>;

/**
 * Declares a module. What its processes send to other modules is what it `sends` (add to it only
 * what `ctx.send` sends from elsewhere). Cross-module rules are checked when modules start
 * together (ownership.ts).
 */
export function defineModule<const S extends ModuleSpec>(spec: S): ModuleDefinition & S {
  if (!MODULE_NAME.test(spec.name)) throw new TypeError(`module name "${spec.name}" must be lower-kebab-case`);
  for (const kind of spec.streams ?? []) {
    if (!STREAM_KIND.test(kind)) throw new TypeError(`module ${spec.name}: stream kind "${kind}" must be camelCase letters and digits`);
  }
  const sent = [...(spec.sends ?? []), ...(spec.processes ?? []).flatMap((p) => p.sends)].filter((c) => c.module !== spec.name);
  return {
    publicEvents: [],
    privateEvents: [],
    streams: [],
    commands: [],
    queries: [],
    projections: [],
    asks: [],
    routes: [],
    processes: [],
    ...spec,
    sends: [...new Map(sent.map((c) => [c.type, c])).values()],
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
