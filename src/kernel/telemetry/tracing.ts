import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Link, type Span } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';

/**
 * Spans around the kernel's work (requests, commands, appends, projection batches, process
 * steps, outbox deliveries, queries, calls between processes), and the W3C `traceparent` that
 * carries a trace through event and command metadata, so a saga resumed after a restart or in
 * another process continues the same trace.
 *
 * Off unless the host turns it on (server/telemetry.ts, from the OTEL_* variables): then every
 * helper here is a plain call, with no context, span or attribute object made.
 */
let enabled = false;

export function setTracing(on: boolean): void {
  enabled = on;
}

export function tracingEnabled(): boolean {
  return enabled;
}

export { SpanKind, type Span };

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The span's parent, when it is not the active span: a `traceparent` from an event's or a command's metadata. */
  parent?: string;
  /** A root span (e.g. a projection batch, which serves events of many traces); `links` name what it serves. */
  root?: boolean;
  links?: Link[];
}

/** The context a W3C `traceparent` names (a remote parent), or undefined when it is missing or malformed. */
export function contextOf(traceparent: string | undefined, base: Context = context.active()): Context | undefined {
  if (!traceparent) return undefined;
  const spanContext = parseTraceParent(traceparent);
  return spanContext ? trace.setSpanContext(base, spanContext) : undefined;
}

/** The W3C `traceparent` of a span, or of the active span; undefined when tracing is off or nothing is traced. */
export function traceparentOf(span: Span | undefined = enabled ? trace.getActiveSpan() : undefined): string | undefined {
  if (!span) return undefined;
  const spanContext = span.spanContext();
  if (!trace.isSpanContextValid(spanContext)) return undefined;
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** A link to the span a `traceparent` names (for a batch span that serves many traces). */
export function linkTo(traceparent: string | undefined): Link | undefined {
  const spanContext = traceparent ? parseTraceParent(traceparent) : null;
  return spanContext ? { context: spanContext } : undefined;
}

/**
 * Runs `fn` inside a new span (the active span's child, or `options.parent`'s), ending it when
 * `fn` settles and marking it failed when `fn` throws. With tracing off, just runs `fn`.
 */
export function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!enabled) return fn(undefined);
  const parent = options.root ? ROOT_CONTEXT : (contextOf(options.parent) ?? context.active());
  const tracer = trace.getTracer('seams');
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Starts a span that the caller ends (an HTTP request ends when its response is written); undefined when tracing is off. */
export function startSpan(name: string, options: SpanOptions): { span: Span; context: Context } | undefined {
  if (!enabled) return undefined;
  const parent = contextOf(options.parent) ?? context.active();
  const span = trace.getTracer('seams').startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Runs `fn` with `ctx` active (so the spans it starts are children of ctx's span). */
export function withContext<T>(ctx: Context | undefined, fn: () => T): T {
  return ctx ? context.with(ctx, fn) : fn();
}

export function failed(span: Span | undefined, error: unknown): void {
  if (!span) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
