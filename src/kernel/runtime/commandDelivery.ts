import type { Knex } from 'knex';
import { v5 as uuidv5 } from 'uuid';
import { DuplicateEventIdError } from '../errors.js';
import { stampedContext } from '../modules/moduleEvents.js';
import { inSpan, SpanKind, traceparentOf } from '../telemetry/tracing.js';
import type { CommandHandler, CommandMeta, ModuleContext, ModuleEvents } from '../types/module.js';

const EVENT_IDS = 'c3a1f7e2-8b4d-4e6f-9a1b-2c3d4e5f6a7b';

/** The handler's first append found its events already in the log: the command was handled before a crash. */
class AlreadyHandled extends Error {}

/**
 * The module's events as a command handler sees them: the k-th event it appends gets an id
 * derived from (command id, k). Handling the same command again (a resend, or a redelivery after
 * a crash between the append and the bookkeeping) writes the same ids, which the store refuses
 * or ignores: the command acts exactly once in the log.
 */
function commandScoped(events: ModuleEvents, commandId: string): ModuleEvents {
  let k = 0;
  return {
    ...events,
    async append(stream, list, options) {
      const first = k === 0;
      const withIds = list.map((e) => ({ ...e, id: uuidv5(`${commandId}/${k++}`, EVENT_IDS) }));
      try {
        return await events.append(stream, withIds, options);
      } catch (error) {
        if (first && error instanceof DuplicateEventIdError) throw new AlreadyHandled();
        throw error;
      }
    },
  };
}

/** Runs a command handler at most once per command id (its effect in the log exactly once), in a span of the sender's trace. */
export function deliverOnce(db: Knex, ctx: ModuleContext, handler: CommandHandler, data: unknown, meta: CommandMeta): Promise<void> {
  const attributes = { 'seams.command': handler.command.type, 'seams.command_id': meta.commandId, 'seams.module': ctx.name, ...(meta.correlationId ? { 'seams.correlation_id': meta.correlationId } : {}) };
  // The sender's trace: the span active here (the delivery, or the request that carried the command), else the command's own traceparent.
  const parent = traceparentOf() ? undefined : meta.traceparent;
  return inSpan(`seams.command ${handler.command.type}`, { kind: SpanKind.CONSUMER, parent, attributes }, async () => {
    if (await db('handled_commands').where({ command_id: meta.commandId }).first()) return;
    try {
      // What the handler appends (or sends) is stamped with the command's correlation id, cause and actor: handlers pass nothing on.
      const stamp = { correlationId: meta.correlationId, causationId: meta.commandId, actor: meta.actor };
      await handler.handle(stampedContext({ ...ctx, events: commandScoped(ctx.events, meta.commandId) }, stamp), data, meta);
    } catch (error) {
      if (!(error instanceof AlreadyHandled)) throw error;
      // Its first event's id is in the log with other content: handled before, and deciding otherwise now
      // that its own events are there. (Two commands under one id would meet here too: process command ids
      // carry the command's type so that a different decision is a different command; say it when it happens.)
      ctx.log.warn({ command: handler.command.type, commandId: meta.commandId }, 'command taken as handled before: its first event id is in the log with other content');
    }
    await db('handled_commands').insert({ command_id: meta.commandId, type: handler.command.type, handled_at: Date.now() }).onConflict('command_id').ignore();
  });
}
