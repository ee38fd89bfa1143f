/**
 * The kernel as a host sees it: what runs modules (stores, runtime, server, CLI, cluster).
 * Imported by the composition root (src/main.ts, src/cli.ts), benches and tests; never by a
 * module, which sees only src/kernel/index.ts.
 */
export * from './index.js';
export * from './errors.js';
export { parseWith } from './contracts/validation.js';
export type { QueryArgs, QueryContract, QueryResult, Upcaster } from './types/contracts.js';
export type { EventMetadata, ExpectedRevision } from './types/eventStore.js';
export type { CommandMeta, Decision, ModuleConfig, ModuleDefinition, QueryHandler, SendOptions } from './types/module.js';
export type { HasTables, ProjectionDefinition, ProjectionTx } from './types/projection.js';
export type { OutgoingCommand } from './types/process.js';
export type { RouteDefinition } from './types/http.js';
export type { RowShape } from './projections/rows.js';
export type { ReplicaDefinition } from './projections/replica.js';

// The log.
export { EventStoreDbEventStore, type EventStoreDbEventStoreOptions } from './event-store/eventstoredb/EventStoreDbEventStore.js';
export { PostgresEventStore, type PostgresEventStoreOptions } from './event-store/postgres/postgresEventStore.js';
export { SqliteEventStore, type SqliteEventStoreOptions } from './event-store/sqlite/sqliteEventStore.js';
export { openStore } from './event-store/openStore.js';
export { DEFAULT_MAX_EVENT_BYTES, MAX_STREAM_NAME_LENGTH } from './event-store/prepare.js';
export { catchUpSubscription, sleep } from './event-store/subscription.js';
export { EventRegistry } from './contracts/registry.js';
export type { AppendOptions, EventStore, NewEvent, ReadAllFilter, ReadAllOptions, ReadStreamOptions, SubscribeOptions, Subscription } from './types/eventStore.js';

// Configuration and module databases.
export { loadConfig, moduleDatabaseConfig } from './config.js';
export type { ModuleDatabaseConfig, SeamsConfig } from './types/config.js';
export { moduleDatabaseFile, moduleSchema, openModuleDatabase } from './modules/moduleDatabase.js';
export { registryOf } from './modules/registry.js';
export { parseModuleConfig } from './modules/moduleConfig.js';
export { ownEvents, readers, streamPrefix } from './modules/defineModule.js';
export { assertOwnership, findOwnershipViolations } from './modules/ownership.js';
export type { Violation } from './types/module.js';

// Running modules: runtime, projections, processes.
export { ModuleRuntime, type RuntimeOptions } from './runtime/runtime.js';
export { QueryGateway, type QueryGatewayOptions } from './runtime/queryGateway.js';
export { assembleModules } from './runtime/assemble.js';
export { ProjectionRunner, type RunnerOptions } from './projections/projectionRunner.js';
export { retryProjection, skipFailedEvent } from './projections/operatorActions.js';
export { kernelEvents, ProjectionEventSkipped } from './projections/kernelEvents.js';
export type { Progress, ProjectionState, ProjectionStatus } from './types/projection.js';
export type { InstanceDetail, InstanceSummary, RetryPolicy } from './types/process.js';
export type { EventHandler } from './types/projection.js';

// HTTP server, tokens, CLI.
export { startServer, type RunningServer } from './server/startServer.js';
export { processLogger } from './server/logger.js';
export { createHttpApp, type HttpAppOptions } from './server/app.js';
export { sendProblem, type Problem } from './http/problem.js';
export { loadTokenSecret, tokenService } from './http/tokens.js';
export { ACCESS, accessReplica } from './http/accessReplica.js';
export { Authenticator, isLocalClient } from './http/access.js';
export type { Access, Credential, Grant, TokenService } from './types/http.js';
export type { CredentialEvents } from './types/module.js';
export { runCli, type CliOptions } from './cli/cli.js';
export type { CliIo } from './cli/io.js';

// Processes sharing the work (peers, leases, the gateway), and deployables with stores of their own (the broker link).
export { Coordination, type Peer } from './cluster/coordination.js';
export { createGateway } from './cluster/gateway.js';
export { BrokerLink, storeNameOf, type BrokerStatus } from './broker/brokerLink.js';
