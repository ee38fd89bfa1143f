/**
 * The kernel's public API: modules import the kernel through this file and nothing else.
 */
export * from './contracts/index.js';
export * from './event-store/index.js';
export * from './errors.js';
export { defineModule, handleCommand, answerQuery, streamPrefix, ownEvents, type ModuleDefinition, type CommandHandler, type QueryHandler, type CommandMeta, type ModuleExtensions } from './modules/defineModule.js';
export { findCaughtUp, type ModuleContext, type SendOptions } from './modules/moduleContext.js';
export { newEvent, type ModuleEvents, type ModuleEvent, type ModuleAppendOptions } from './modules/moduleEvents.js';
export { decideAndAppend, loadState, type Decider, type Decision } from './modules/decider.js';
export { findOwnershipViolations, assertOwnership, type Violation } from './modules/ownership.js';
export { openModuleDatabase, moduleDatabaseFile, moduleSchema, type ModuleDatabaseConfig } from './modules/moduleDatabase.js';
export { ModuleRuntime, type RuntimeOptions } from './modules/runtime.js';
export { QueryGateway } from './modules/queryGateway.js';
export { defineProjection, on, type ProjectionDefinition, type ProjectionTx, type EventHandler } from './projections/defineProjection.js';
export { ProjectionRunner, type RunnerOptions, type Progress } from './projections/projectionRunner.js';
export type { ProjectionStatus } from './projections/status.js';
export type { ProjectionState } from './projections/generations.js';
export { registryOf, kernelEvents, ProjectionEventSkipped } from './kernelEvents.js';
export { retryProjection, skipFailedEvent } from './projections/operatorActions.js';
export { loadConfig, type SeamsConfig } from './config.js';
export { runCli, type CliOptions } from './cli/cli.js';
export type { CliIo } from './cli/io.js';
export { createHttpApp, type HttpAppOptions } from './http/app.js';
export { route, type RouteDefinition, type RouteInput, type Caller, type Method } from './http/route.js';
export { ok, created, accepted, noContent, type HttpResult } from './http/responses.js';
export { tokenService, loadTokenSecret, type TokenService } from './http/tokens.js';
export { revokedSessions, REVOKED_SESSIONS } from './http/revokedSessions.js';
export { sendProblem, type Problem } from './http/problem.js';
export { startServer, type RunningServer } from './server.js';
export { defineProcess, react, command, type ProcessDefinition, type ProcessStep, type ProcessTx, type ProcessInput, type OutgoingCommand, type RetryPolicy } from './processes/defineProcess.js';
export type { InstanceSummary, InstanceDetail } from './processes/inspect.js';
