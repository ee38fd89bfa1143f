import { z } from 'zod';
import { ConflictError, NotFoundError } from '../errors.js';
import { operatorStream, CommandResubmitted, ProjectionRebuildStarted } from '../projections/kernelEvents.js';
import { retryProjection, skipFailedEvent } from '../projections/operatorActions.js';
import { actsOnParked, retryParked, skipParked } from '../projections/parkedActions.js';
import { commandsSetAside, resubmit } from '../runtime/processInspection.js';
import type { ModuleRuntime } from '../runtime/runtime.js';
import type { EventStore } from '../types/eventStore.js';
import { ok } from '../http/responses.js';
import { ADMIN } from '../http/access.js';
import { route } from '../http/route.js';
import type { RouteDefinition } from '../types/http.js';
import { summarize } from '../cli/modulesCommand.js';

const target = z.object({ module: z.string().min(1).max(100), projection: z.string().min(1).max(100) });

const commandSummary = z.object({
  type: z.string(),
  module: z.string(),
  instance: z.string(),
  commandId: z.string(),
  command: z.string(),
  purpose: z.string(),
  status: z.string(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  correlationId: z.string().nullable(),
  causationId: z.string().nullable(),
});

/**
 * What an operator does from the console (or curl): retry, skip or rebuild a projection, and
 * resubmit a command a process set aside. Each is recorded in the log as a `seams.` event whose
 * actor says who did it; each refuses with problem+json what makes no sense (404 unknown, 409 not
 * stopped / not set aside / already rebuilding / led by another process).
 */
export function adminActions(runtime: ModuleRuntime, store: EventStore): RouteDefinition[] {
  const runnerOf = (module: string, projection: string) => {
    if (!runtime.modules.some((m) => m.name === module)) throw new NotFoundError(`module ${module} does not run in this process`);
    try {
      return runtime.runner(module, projection);
    } catch {
      throw new NotFoundError(`no projection ${module}/${projection}`);
    }
  };
  const leading = (module: string) => {
    if (!runtime.isLeading(module)) throw new ConflictError(`another process runs ${module}'s projections (it holds the lease): act there`);
  };
  const who = (actor: string | undefined) => actor ?? 'admin';
  const parkedQuery = z.object({ stream: z.string().min(1).max(300).optional() });
  return [
    route.post('/projections/:module/:projection/retry', {
      summary: 'try again (after the cause was fixed): the event a stopped projection failed at, or its parked streams (all, or ?stream=)',
      access: ADMIN,
      params: target,
      query: parkedQuery,
      responses: { 200: z.object({ module: z.string(), projection: z.string(), position: z.number().int(), streams: z.array(z.string()).optional() }) },
      handle: async ({ params, query, meta }) => {
        runnerOf(params.module, params.projection);
        leading(params.module);
        const db = runtime.context(params.module).db;
        // The runner sees its row change (or the retry asked of parked streams) within a second.
        if (await actsOnParked(db, params.projection, query.stream)) {
          const streams = await retryParked(db, params.module, params.projection, query.stream, { store, actor: who(meta.actor) });
          return ok({ module: params.module, projection: params.projection, position: Math.min(...streams.map((s) => s.position)), streams: streams.map((s) => s.stream) });
        }
        const g = await retryProjection(db, params.module, params.projection, { store, actor: who(meta.actor) });
        return ok({ module: params.module, projection: params.projection, position: g.errorPosition ?? g.position });
      },
    }),
    route.post('/projections/:module/:projection/skip', {
      summary: 'pass over, for good, the event a stopped projection failed at, or the first event of a parked stream (?stream= when several); recorded in the log with the reason',
      access: ADMIN,
      params: target,
      query: parkedQuery,
      body: z.object({ reason: z.string().trim().min(1).max(1000) }),
      responses: { 200: z.object({ module: z.string(), projection: z.string(), position: z.number().int(), streams: z.array(z.string()).optional() }) },
      handle: async ({ params, query, body, meta }) => {
        runnerOf(params.module, params.projection);
        leading(params.module);
        const db = runtime.context(params.module).db;
        if (await actsOnParked(db, params.projection, query.stream)) {
          const { stream, position } = await skipParked(db, params.module, params.projection, query.stream, body.reason, { store, actor: who(meta.actor) });
          return ok({ module: params.module, projection: params.projection, position, streams: [stream] });
        }
        const { position } = await skipFailedEvent(db, store, params.module, params.projection, body.reason, who(meta.actor));
        return ok({ module: params.module, projection: params.projection, position });
      },
    }),
    route.post('/projections/:module/:projection/rebuild', {
      summary: 'rebuild a projection from the log into new tables beside the serving ones; swapped in when caught up (progress: GET /admin/projections, `building`)',
      access: ADMIN,
      params: target,
      responses: { 202: z.object({ module: z.string(), projection: z.string(), headPosition: z.number().int() }) },
      handle: async ({ params, meta }) => {
        const runner = runnerOf(params.module, params.projection);
        leading(params.module);
        if ((await runner.status()).building) throw new ConflictError(`${params.module}/${params.projection} is being rebuilt already`);
        const headPosition = await store.headPosition();
        await store.append(operatorStream('projection', params.module, params.projection), [
          { type: ProjectionRebuildStarted.type, data: { module: params.module, projection: params.projection, headPosition }, metadata: { actor: who(meta.actor), module: 'seams' } },
        ]);
        await runner.rebuild();
        return { status: 202, body: { module: params.module, projection: params.projection, headPosition } };
      },
    }),
    route.get('/set-aside-commands', {
      summary: 'commands processes gave up (refused, or out of retries), newest first: what may be resubmitted',
      access: ADMIN,
      query: z.object({ type: z.string().max(100).optional() }),
      responses: { 200: z.object({ commands: z.array(commandSummary) }) },
      handle: async ({ query }) => ok({ commands: await commandsSetAside(runtime.inspected(), query) }),
    }),
    route.post('/processes/:type/:id/commands/:commandId/resubmit', {
      summary: 'deliver a set-aside command again, under its own id (so it still acts at most once)',
      access: ADMIN,
      params: z.object({ type: z.string().max(100), id: z.string().max(200), commandId: z.string().max(100) }),
      responses: { 200: commandSummary.pick({ type: true, instance: true, commandId: true, command: true, status: true }) },
      handle: async ({ params, meta }) => {
        const owner = runtime.modules.find((m) => m.processes.some((p) => p.name === params.type));
        if (owner) leading(owner.name);
        const { module, row } = await resubmit(runtime.inspected(), params.type, params.id, params.commandId);
        await store.append(operatorStream('process', module, params.type), [
          {
            type: CommandResubmitted.type,
            data: { module, process: params.type, instance: params.id, commandId: params.commandId, command: row.command_type, lastError: row.last_error },
            metadata: { actor: who(meta.actor), module: 'seams', ...(row.correlation_id ? { correlationId: row.correlation_id } : {}) },
          },
        ]);
        return ok({ type: params.type, instance: params.id, commandId: params.commandId, command: row.command_type, status: 'pending' });
      },
    }),
    route.get('/modules', {
      summary: 'the module graph: what each module publishes, consumes, handles, sends and asks, and whether it runs here',
      access: ADMIN,
      responses: { 200: z.object({ modules: z.array(z.object({ module: z.string(), runsHere: z.boolean() }).passthrough()) }) },
      handle: async () => ok({ modules: runtime.application.map((m) => ({ ...summarize(m), runsHere: runtime.modules.some((r) => r.name === m.name) })) }),
    }),
  ];
}
