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
/**
 * First path segments the kernel serves over HTTP (and `kernel`, its folder): a module's routes
 * are found by their first segment ahead of the kernel's pages, so no module may take one.
 */
export const KERNEL_PATHS: ReadonlySet<string> = new Set(['admin', 'admin-sign-in', 'api', 'docs', 'health', 'kernel', 'metrics', 'openapi', 'pages', 'readme']);
const STREAM_KIND = /^[a-z][a-zA-Z0-9]*$/;

export type ModuleSpec = Pick<ModuleDefinition, 'name'> & Partial<Omit<ModuleDefinition, 'name'>>;

/**
 * Declares a module. What its processes send to other modules is what it `sends` (add to it only
 * what `ctx.send` sends from elsewhere). Cross-module rules are checked when modules start
 * together (ownership.ts).
 */
export function defineModule<const S extends ModuleSpec>(spec: S): ModuleDefinition & S {
  if (!MODULE_NAME.test(spec.name)) throw new TypeError(`module name "${spec.name}" must be lower-kebab-case`);
  if (KERNEL_PATHS.has(spec.name)) throw new TypeError(`module name "${spec.name}" is a path the kernel serves; choose another name`);
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
