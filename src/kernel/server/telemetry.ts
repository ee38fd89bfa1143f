import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { setTracing } from '../telemetry/tracing.js';

/**
 * Tracing is on when the standard OpenTelemetry variables ask for it: an OTLP endpoint
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or an exporter
 * (`OTEL_TRACES_EXPORTER=otlp|console`), unless `OTEL_SDK_DISABLED=true` or the exporter is `none`.
 */
export function tracingRequested(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || exporter);
}

let provider: NodeTracerProvider | undefined;
let users = 0;

/**
 * Starts the process's tracer provider (once, however many servers the process runs): spans
 * go to the OTLP endpoint over HTTP (or the console, or `exporter` — tests collect in memory),
 * batched as the `OTEL_BSP_*` variables say; the service is `OTEL_SERVICE_NAME` (default
 * `seams`). Returns the stop, which flushes what is left once the last user stops.
 */
export function startTracing(env: Readonly<Record<string, string | undefined>>, instance: string, exporter?: SpanExporter): () => Promise<void> {
  if (!provider) {
    const chosen = exporter ?? (env.OTEL_TRACES_EXPORTER?.trim() === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter());
    const resource = resourceFromAttributes({ 'service.name': 'seams', 'service.instance.id': instance }).merge(detectResources({ detectors: [envDetector] }));
    provider = new NodeTracerProvider({ resource, spanProcessors: [exporter ? new SimpleSpanProcessor(chosen) : new BatchSpanProcessor(chosen)] });
    provider.register();
    setTracing(true);
  }
  users++;
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    await provider?.forceFlush();
    if (--users > 0) return;
    setTracing(false);
    await provider?.shutdown();
    provider = undefined;
    // So that a later start in this process may register again.
    trace.disable();
    context.disable();
    propagation.disable();
  };
}
