import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { CommandContract, CommandData, EventOf, QueryArgs, QueryContract, QueryResult } from './contracts.js';
import type { SeamsConfig } from './config.js';
import type { AppendResult, EventMetadata, ExpectedRevision, ReadStreamOptions, RecordedEvent } from './eventStore.js';
import type { HasTables } from './projection.js';

/** Who asked, for metadata and idempotency: a command handled twice with one id acts once. */
export interface CommandMeta {
  commandId: string;
  /** The originating request's id, kept through every process, outbox, timer and remote call. */
  correlationId?: string;
  /** The message (event, command, request) that caused this command. */
  causationId?: string;
  actor?: string;
  /** W3C trace context of the work that sent it (when tracing is on). */
  traceparent?: string;
}

export interface ModuleAppendOptions {
  expectedRevision?: ExpectedRevision;
  /** Over the metadata the context stamps (the request's or command's correlation id and actor). */
  metadata?: Omit<EventMetadata, 'module'>;
}

/**
 * The event store as one module sees it: it appends only its own event types, only to its own
 * streams, and reads back only its own streams. Everything else it learns from projections.
 */
export interface ModuleEvents {
  append(stream: string, events: readonly EventOf[], options?: ModuleAppendOptions): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The stream name of one of this module's stream kinds and an id: `catalog.item-<id>`. */
  stream(kind: string, id: string): string;
}

export interface SendOptions {
  /** Idempotency key: the target acts once per id, however often the command arrives. */
  commandId?: string;
  correlationId?: string;
  causationId?: string;
  actor?: string;
}

/**
 * Who made a request (API.md, "Who may do what"): a member (a user's session token, with the
 * roles identity signed into it), a machine (a service token with scopes), or the deployment's
 * admin credential. Verified by every module on its own; revocations come from identity's events.
 */
export type Caller = MemberCaller | ServiceCaller | AdminCaller;

export interface MemberCaller {
  readonly kind: 'member';
  readonly userId: string;
  readonly sessionId: string;
  /** Roles granted when the token was issued (`operator`); a revocation since rejects the token. */
  readonly roles: readonly string[];
}

export interface ServiceCaller {
  readonly kind: 'service';
  readonly tokenId: string;
  /** What the token may do, e.g. `jobs:submit`, `jobs:read`, `jobs:report`. */
  readonly scopes: readonly string[];
}

export interface AdminCaller {
  readonly kind: 'admin';
}

/** What a signed token says, once its signature and expiry are checked (revocation is asked separately). */
export type Credential = (
  | (Omit<MemberCaller, 'kind'> & {
      kind: 'member';
      /** The revision of the user's roles stream when the token was issued: a role revoked at a later revision rejects it. */
      rolesRevision: number;
    })
  | ServiceCaller
) & { expiresAt: Date };

export type MemberClaims = Omit<Extract<Credential, { kind: 'member' }>, 'kind' | 'expiresAt'>;
export type ServiceClaims = Omit<ServiceCaller, 'kind'>;

/**
 * Bearer tokens are signed JWTs (HS256) that any module verifies on its own, with no call to
 * identity. Revocation (a logout, a revoked role or service token) is not in the token: each
 * module keeps the kernel's access replica, fed by identity's public events.
 */
export interface TokenService {
  issueMember(claims: MemberClaims, expiresAt: Date): Promise<string>;
  issueService(claims: ServiceClaims, expiresAt: Date): Promise<string>;
  verify(token: string): Promise<Credential>;
}

/** Everything a module's code receives. It holds this module's database handle and no other. */
export interface ModuleContext {
  readonly name: string;
  /** This module's own database. */
  readonly db: Knex;
  /** Appends stamped with the metadata of the request or command being handled. */
  readonly events: ModuleEvents;
  readonly log: Logger;
  /** Physical table names of one of this module's projections (they change when it is rebuilt); typed when given its definition. */
  tables<T extends string>(of: HasTables<T>): Record<T, string>;
  tables(projection: string): Record<string, string>;
  /** Resolves true once every projection of this module (or just `projection`) has processed `position`; false on timeout. */
  waitFor(position: number, timeoutMs: number, projection?: string): Promise<boolean>;
  /** Waits (bounded) until this module's projections have caught up with the log's current head. */
  catchUp(timeoutMs: number, projection?: string): Promise<boolean>;
  /** The deployment's configuration (read-only). */
  readonly config: Readonly<SeamsConfig>;
  /** The module's own settings, parsed from the environment at start (read them typed with defineConfig(...).of(ctx)). */
  readonly settings: unknown;
  /**
   * A new id for something this work creates (a customer, an order). Random, except where the
   * work may be done again and must then make the same ids: a command's handler, and a POST
   * under an Idempotency-Key, repeated after its first answer was lost. Use it, not randomUUID.
   */
  newId(): string;
  /** A directory for this module's own files (created on first use), e.g. `<dataDir>/modules/<name>-files`. */
  filesDir(): string;
  /**
   * The fencing number under which this process does the module's work now: it grows with every
   * new leader of the module (in a cluster) and with every start of its work; undefined where the
   * module's work does not run (a follower, the CLI). An external effect without idempotency of its
   * own (an SMTP send) records it, to happen at most once per number.
   */
  leaseEpoch(): number | undefined;
  /** Issues and verifies bearer tokens (the signing secret is the deployment's). */
  readonly tokens: TokenService;
  /** Asks another module synchronously; throws UnavailableError on timeout or an open breaker. */
  query<Q extends QueryContract>(query: Q, args: QueryArgs<Q>): Promise<QueryResult<Q>>;
  /** Sends another module's public command. */
  send<C extends CommandContract>(command: C, data: CommandData<C>, options?: SendOptions): Promise<void>;
}
