import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { CommandContract, CommandData } from '../contracts/commands.js';
import type { QueryArgs, QueryContract, QueryResult } from '../contracts/queries.js';
import type { ModuleEvents } from './moduleEvents.js';
import type { TokenService } from '../http/tokens.js';
import type { SeamsConfig } from '../config.js';

export interface SendOptions {
  /** Idempotency key: the target acts once per id, however often the command arrives. */
  commandId?: string;
  correlationId?: string;
  causationId?: string;
  actor?: string;
}

/** Everything a module's code receives. It holds this module's database handle and no other. */
export interface ModuleContext {
  readonly name: string;
  /** This module's own database. */
  readonly db: Knex;
  readonly events: ModuleEvents;
  readonly log: Logger;
  /** Physical table names of one of this module's projections (they change when it is rebuilt). */
  tables(projection: string): Record<string, string>;
  /** Resolves true once every projection of this module (or just `projection`) has processed `position`; false on timeout. */
  waitFor(position: number, timeoutMs: number, projection?: string): Promise<boolean>;
  /** Waits (bounded) until this module's projections have caught up with the log's current head. */
  catchUp(timeoutMs: number, projection?: string): Promise<boolean>;
  /** The deployment's configuration (read-only). */
  readonly config: Readonly<SeamsConfig>;
  /** A directory for this module's own files (created on first use), e.g. `<dataDir>/modules/<name>-files`. */
  filesDir(): string;
  /** Issues and verifies bearer tokens (the signing secret is the deployment's, see tokens.ts). */
  readonly tokens: TokenService;
  /** Asks another module synchronously; throws UnavailableError on timeout or an open breaker. */
  query<Q extends QueryContract>(query: Q, args: QueryArgs<Q>): Promise<QueryResult<Q>>;
  /** Sends another module's public command. */
  send<C extends CommandContract>(command: C, data: CommandData<C>, options?: SendOptions): Promise<void>;
}

/** How long a read that finds nothing waits for the projection to catch up before it says so. */
const CATCH_UP_MS = 1000;

/**
 * Reads from one of the module's projections; when that finds nothing, lets the projection
 * catch up with the log once (bounded) and reads again. A miss right after a write (the client
 * sent no Min-Position) is then not reported as "does not exist".
 */
export async function findCaughtUp<T>(ctx: ModuleContext, projection: string, find: () => Promise<T>): Promise<T> {
  const found = await find();
  if (found !== undefined && found !== null) return found;
  return (await ctx.catchUp(CATCH_UP_MS, projection)) ? find() : found;
}
