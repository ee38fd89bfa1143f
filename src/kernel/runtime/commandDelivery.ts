import { AlreadyHandled, repeatableContext } from '../modules/scopedIds.js';
import { stampedContext } from '../modules/moduleEvents.js';
import { inSpan, SpanKind, traceparentOf } from '../telemetry/tracing.js';
import type { HandledCommands } from './handledCommands.js';
import type { CommandHandler, CommandMeta, ModuleContext } from '../types/module.js';

/** Runs a command handler at most once per command id (its effect in the log exactly once), in a span of the sender's trace. */
export function deliverOnce(handled: HandledCommands, ctx: ModuleContext, handler: CommandHandler, data: unknown, meta: CommandMeta): Promise<void> {
  const attributes = { 'seams.command': handler.command.type, 'seams.command_id': meta.commandId, 'seams.module': ctx.name, ...(meta.correlationId ? { 'seams.correlation_id': meta.correlationId } : {}) };
  // The sender's trace: the span active here (the delivery, or the request that carried the command), else the command's own traceparent.
  const parent = traceparentOf() ? undefined : meta.traceparent;
  return inSpan(`seams.command ${handler.command.type}`, { kind: SpanKind.CONSUMER, parent, attributes }, async () => {
    if (await handled.has(meta.commandId)) return;
    try {
      // What the handler appends (or sends) is stamped with the command's correlation id, cause and actor: handlers pass nothing on.
      const stamp = { correlationId: meta.correlationId, causationId: meta.commandId, actor: meta.actor };
      await handler.handle(stampedContext(repeatableContext(ctx, meta.commandId), stamp), data, meta);
    } catch (error) {
      if (!(error instanceof AlreadyHandled)) throw error;
      // Its first event's id is in the log with other content: handled before, and deciding otherwise now
      // that its own events are there. (Two commands under one id would meet here too: process command ids
      // carry the command's type so that a different decision is a different command; say it when it happens.)
      ctx.log.warn({ command: handler.command.type, commandId: meta.commandId }, 'command taken as handled before: its first event id is in the log with other content');
    }
    handled.record(meta.commandId, handler.command.type);
  });
}
