import { z } from 'zod';
import type { EventRegistry } from '../contracts/registry.js';
import { wholeNumber } from '../contracts/validation.js';
import { NotFoundError, UnavailableError } from '../errors.js';
import type { EventStore } from '../types/eventStore.js';
import type { ModuleRuntime } from '../runtime/runtime.js';
import { redactor } from '../http/redact.js';
import { noContent, ok } from '../http/responses.js';
import { ADMIN } from '../http/access.js';
import { route } from '../http/route.js';
import { conversation } from '../processes/conversation.js';
import { commandsOfConversation } from '../runtime/processInspection.js';
import type { RouteDefinition } from '../types/http.js';
import { adminActions } from './adminActions.js';

const recordedEvent = z.object({
  id: z.string(),
  stream: z.string(),
  revision: z.number().int(),
  position: z.number().int(),
  type: z.string(),
  schemaVersion: z.number().int(),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  recordedAt: z.string(),
});

const projectionStatus = z.object({
  module: z.string(),
  projection: z.string(),
  version: z.number().int(),
  generation: z.number().int(),
  position: z.number().int(),
  headPosition: z.number().int(),
  lag: z.number().int(),
  lagSeconds: z.number().optional(),
  state: z.string(),
  error: z.object({ message: z.string(), position: z.number().int().nullable(), eventId: z.string().nullable() }).optional(),
  parked: z
    .array(z.object({ stream: z.string(), events: z.number().int(), position: z.number().int(), eventId: z.string(), error: z.string(), retrying: z.boolean() }))
    .optional(),
  building: z.object({ generation: z.number().int(), version: z.number().int(), position: z.number().int() }).optional(),
});

const instanceSummary = z.object({
  type: z.string(),
  module: z.string(),
  id: z.string(),
  status: z.string(),
  step: z.string().nullable(),
  attempts: z.number().int(),
  nextWakeAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Health and operator endpoints (API.md, "operations"). `degraded` says what holds part of the work back (e.g. the broker). */
export function operationsRoutes(
  runtime: ModuleRuntime,
  store: EventStore,
  registry: EventRegistry,
  options: { readyMaxLagS?: number; degraded?: () => string[]; parkedMakesUnready?: boolean } = {},
): { health: RouteDefinition[]; admin: RouteDefinition[] } {
  const redact = redactor(registry);
  const health = [
    route.get('/live', { summary: 'the process is up', access: 'anyone', responses: { 200: z.object({ status: z.literal('live') }) }, handle: async () => ok({ status: 'live' }) }),
    route.get('/ready', {
      summary: 'the store answers, no projection has stopped, and (with SEAMS_READY_MAX_LAG_S) none is further behind than that (degraded: serving, but something holds part of the work back, e.g. the broker or parked streams; with SEAMS_READY_PARKED=down parked streams make it 503)',
      access: 'anyone',
      responses: { 200: z.object({ status: z.enum(['ready', 'degraded']), headPosition: z.number().int(), degraded: z.array(z.string()).optional() }) },
      handle: async () => {
        let head: number;
        try {
          head = await store.headPosition();
        } catch (error) {
          throw new UnavailableError(`the event store does not answer: ${(error as Error).message}`);
        }
        const statuses = await runtime.projectionStatus();
        const stopped = statuses.filter((s) => s.state === 'failed' || s.state === 'ahead-of-log');
        if (stopped.length > 0) throw new UnavailableError(`projections stopped: ${stopped.map((s) => `${s.module}/${s.projection} (${s.state})`).join(', ')}`);
        const max = options.readyMaxLagS;
        const behind = max === undefined ? [] : statuses.filter((s) => (s.lagSeconds ?? 0) > max);
        if (behind.length > 0) throw new UnavailableError(`projections behind by more than ${max} s: ${behind.map((s) => `${s.module}/${s.projection} (${s.lagSeconds!.toFixed(1)} s)`).join(', ')}`, 1);
        // Parked streams hold part of the work back: degraded (still serving), or, by configuration (SEAMS_READY_PARKED=down), not ready.
        const parked = statuses.filter((s) => s.parked && s.parked.length > 0).map((s) => `${s.module}/${s.projection} has ${s.parked!.length} parked stream(s)`);
        if (parked.length > 0 && options.parkedMakesUnready) throw new UnavailableError(`projections with parked streams: ${parked.join(', ')}`);
        const reasons = [...(options.degraded?.() ?? []), ...parked];
        return ok(reasons.length > 0 ? { status: 'degraded', headPosition: head, degraded: reasons } : { status: 'ready', headPosition: head });
      },
    }),
  ];
  const admin = [
    route.get('/projections', {
      summary: 'position, head, lag and state of every projection in this process',
      access: ADMIN,
      responses: { 200: z.array(projectionStatus) },
      handle: async () => ok(await runtime.projectionStatus()),
    }),
    route.get('/processes', {
      summary: 'process-manager instances: status, current step, attempts and next wake-up',
      access: ADMIN,
      query: z.object({ type: z.string().max(100).optional(), status: z.enum(['running', 'compensating', 'completed', 'failed', 'compensated']).optional() }),
      responses: { 200: z.object({ processes: z.array(instanceSummary) }) },
      handle: async ({ query }) => ok({ processes: await runtime.processInstances(query) }),
    }),
    route.get('/processes/:type/:id', {
      summary: 'one process instance with its state, commands and timers',
      access: ADMIN,
      params: z.object({ type: z.string().max(100), id: z.string().max(200) }),
      responses: { 200: instanceSummary.extend({ state: z.unknown(), completedSteps: z.array(z.unknown()), commands: z.array(z.unknown()), timers: z.array(z.unknown()) }) },
      handle: async ({ params }) => {
        const found = await runtime.processInstance(params.type, params.id);
        if (!found) throw new NotFoundError(`no ${params.type} process ${params.id} in this process`);
        return ok(found);
      },
    }),
    route.post('/queries/:type', {
      summary: 'answer a public query for a module running in this process (modules in other processes call it)',
      access: ADMIN,
      params: z.object({ type: z.string().max(200) }),
      body: z.unknown(),
      responses: { 200: z.unknown() },
      handle: async ({ params, body }) => ok((await runtime.answerHere(params.type, body)) ?? null),
    }),
    route.post('/commands/:type', {
      summary: 'take a command for a module running in this process, once per command id (modules in other processes send it)',
      access: ADMIN,
      params: z.object({ type: z.string().max(200) }),
      body: z.object({ data: z.unknown(), meta: z.object({ commandId: z.string().min(1).max(100), correlationId: z.string().optional(), causationId: z.string().optional(), actor: z.string().optional(), traceparent: z.string().max(100).optional() }) }),
      responses: { 204: null },
      handle: async ({ params, body }) => {
        await runtime.dispatchHere(params.type, body.data, body.meta);
        return noContent();
      },
    }),
    route.get('/streams/:stream', {
      summary: 'the raw events of one stream (secret fields redacted)',
      access: ADMIN,
      params: z.object({ stream: z.string().min(1).max(200) }),
      query: z.object({ from: wholeNumber(0, Number.MAX_SAFE_INTEGER).optional(), limit: wholeNumber(1, 1000).default(100) }),
      responses: { 200: z.object({ stream: z.string(), events: z.array(recordedEvent) }) },
      handle: async ({ params, query }) => {
        const events = await store.readStream(params.stream, { fromRevision: query.from, maxCount: query.limit });
        if (events.length === 0 && (await store.streamRevision(params.stream)) === -1) throw new NotFoundError(`no stream ${params.stream}`);
        return ok({ stream: params.stream, events: events.map(redact) });
      },
    }),
    route.get('/events', {
      summary: 'the raw log after a global position (secret fields redacted); with `correlation`, one conversation: its events in order, and the commands processes running here sent in it',
      access: ADMIN,
      query: z.object({
        after: wholeNumber(0, Number.MAX_SAFE_INTEGER).default(0),
        limit: wholeNumber(1, 1000).default(100),
        correlation: z.string().min(1).max(200).optional(),
        type: z.string().min(1).max(200).optional(),
      }),
      responses: { 200: z.object({ events: z.array(recordedEvent), headPosition: z.number().int(), conversation: z.array(z.object({ kind: z.enum(['request', 'event', 'command']) }).passthrough()).optional() }) },
      handle: async ({ query }) => {
        const filter = query.correlation || query.type ? { correlationId: query.correlation, eventTypes: query.type ? [query.type] : undefined } : undefined;
        const events = await store.readAll({ after: query.after, maxCount: query.limit, filter });
        const redacted = events.map(redact);
        const found = query.correlation ? { conversation: conversation(query.correlation, redacted, await commandsOfConversation(runtime.inspected(), query.correlation)) } : {};
        return ok({ events: redacted, headPosition: await store.headPosition(), ...found });
      },
    }),
    ...adminActions(runtime, store),
  ];
  return { health, admin };
}
