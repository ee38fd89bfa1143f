/**
 * The kernel as a module author sees it: what a module imports, and nothing else (the boundary
 * lint refuses any other kernel import from a module). Running modules (stores, runtime, server,
 * CLI, cluster) is the host's business: src/kernel/host.ts.
 */

// Messages: the public and private events, commands and queries a module owns.
export { defineEvent, newEvent } from './contracts/events.js';
export { defineCommand } from './contracts/commands.js';
export { defineQuery } from './contracts/queries.js';
export { wholeNumber } from './contracts/validation.js';
export type { CommandContract, CommandData, EventContract, EventData, EventOf, RecordedEventOf } from './types/contracts.js';
export type { AppendResult, RecordedEvent } from './types/eventStore.js';
// What a handler throws to refuse: each becomes its problem+json status.
export {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PreconditionFailedError,
  SeamsError,
  TooManyRequestsError,
  UnauthorizedError,
  UnavailableError,
  UnprocessableError,
  ValidationError,
  WrongExpectedRevisionError,
} from './errors.js';

// A module: its definition, settings, aggregates (deciders) and the context its code receives.
export { answerQuery, defineModule, handleCommand } from './modules/defineModule.js';
export { defineConfig } from './modules/moduleConfig.js';
export { decideAndAppend, loadState, type DecideOptions } from './modules/decider.js';
export { batchedReads } from './batchedReads.js';
export { findCaughtUp } from './modules/findCaughtUp.js';
export type { CommandHandler, Decider, ModuleCliCommand, ModuleContext, ModuleEvents } from './types/module.js';

// Read models: views of its own events (rows written once in zod), replicas of other modules' data.
export { defineProjection, on } from './projections/defineProjection.js';
export { defineRow } from './projections/rows.js';
export { chunks } from './sqlite/statementChunks.js';
export { copy, replica } from './projections/replica.js';
export type { TableReader } from './types/projection.js';

// Process managers (sagas): react, read, decide.
export { command, defineProcess, react } from './processes/defineProcess.js';
export type { ProcessDefinition, ProcessStep, ProcessTx } from './types/process.js';

// HTTP routes.
export { route } from './http/route.js';
export { accepted, created, noContent, ok } from './http/responses.js';
export { isOperator, principalOf } from './http/access.js';
export type { Caller, HttpResult, MemberCaller, RouteInput, ServiceCaller } from './types/http.js';

// Specifications: an aggregate's and a process's rules, tested without I/O.
export { deciderSpec } from './testing/deciderSpec.js';
export { input, processSpec } from './testing/processSpec.js';
