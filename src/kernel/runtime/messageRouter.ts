import type { RemoteModules } from '../cluster/remoteModules.js';
import { parseWith } from '../contracts/validation.js';
import { UnavailableError, ValidationError } from '../errors.js';
import type { QueryContract } from '../types/contracts.js';
import type { CommandMeta, ModuleContext, ModuleDefinition, QueryHandler } from '../types/module.js';
import { deliverOnce } from './commandDelivery.js';
import type { HandledCommands } from './handledCommands.js';
import { QueryGateway, type BreakerState, type QueryGatewayOptions } from './queryGateway.js';

/** A module running in this process, as the router reaches it. */
export interface LocalModule {
  definition: ModuleDefinition;
  context: ModuleContext;
  /** The commands it handled (deliverOnce's bookkeeping). */
  handled: HandledCommands;
}

/**
 * Routes commands and queries to the module that owns them: in this process when it runs here,
 * over HTTP to a live peer otherwise (cluster mode). Queries always pass a timeout and a
 * circuit breaker per target module.
 */
export class MessageRouter {
  private readonly gateway: QueryGateway;

  constructor(
    private readonly modules: readonly ModuleDefinition[],
    private readonly local: (module: string) => LocalModule | undefined,
    private readonly remote: RemoteModules | undefined,
    options: QueryGatewayOptions = {},
  ) {
    this.gateway = new QueryGateway((module) => this.answerer(module), options);
  }

  ask(query: QueryContract, args: unknown): Promise<unknown> {
    return this.gateway.ask(query, args);
  }

  /**
   * Delivers a command to the module that owns it, once per command id. Throws UnavailableError
   * (worth retrying) when the owner does not run here, ValidationError for bad data.
   */
  async dispatch(type: string, data: unknown, meta: CommandMeta): Promise<void> {
    const owner = this.modules.find((m) => m.commands.some((h) => h.command.type === type));
    const handler = owner?.commands.find((h) => h.command.type === type);
    if (!owner || !handler) throw new ValidationError(`no module handles command ${type}`);
    const parsed = parseWith(handler.command.schema, data, `command ${type}`);
    const target = this.local(owner.name);
    if (target) return deliverOnce(target.handled, target.context, handler, parsed, meta);
    if (!this.remote) throw new UnavailableError(`module ${owner.name} does not run here to take ${type}`);
    await this.remote.command(owner.name, type, parsed, meta);
  }

  /** A command that came over HTTP from another process: handled here or refused (never forwarded again). */
  async dispatchHere(type: string, data: unknown, meta: CommandMeta): Promise<void> {
    const owner = this.modules.find((m) => m.commands.some((h) => h.command.type === type));
    if (!owner || !this.local(owner.name)) throw new UnavailableError(`command ${type}: its module does not run in this process`);
    await this.dispatch(type, data, meta);
  }

  /** A query that came over HTTP from another process. */
  async answerHere(type: string, args: unknown): Promise<unknown> {
    const owner = this.modules.find((m) => m.queries.some((h) => h.query.type === type));
    const handler = owner?.queries.find((h) => h.query.type === type);
    const target = owner && this.local(owner.name);
    if (!handler || !target) throw new UnavailableError(`query ${type}: its module does not run in this process`);
    return handler.handle(target.context, parseWith(handler.query.args, args, `arguments of ${type}`));
  }

  breakerStates(): { module: string; state: BreakerState }[] {
    return this.gateway.breakerStates();
  }

  shutdown(): void {
    this.gateway.shutdown();
  }

  private answerer(module: string) {
    const target = this.local(module);
    const remote = this.remote;
    if (!target) return remote && ((query: { type: string }, args: unknown) => remote.query(module, query.type, args));
    return async (query: { type: string }, args: unknown) => {
      const handler: QueryHandler | undefined = target.definition.queries.find((h) => h.query.type === query.type);
      if (!handler) throw new UnavailableError(`module ${module} answers no query ${query.type}`);
      return handler.handle(target.context, args);
    };
  }
}
