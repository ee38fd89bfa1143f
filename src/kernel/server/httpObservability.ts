import type { RequestHandler } from 'express';
import type { SeamsMetrics } from '../telemetry/metrics.js';
import { SpanKind, failed, startSpan, tracingEnabled, withContext } from '../telemetry/tracing.js';

/** The route template a request matched (set by the router), so metrics and span names stay few: `/orders/:orderId`. */
export const ROUTE = 'seamsRoute';

/**
 * Times every request into the duration histogram by method, route template and status, and,
 * when tracing is on, makes it a server span that continues the caller's `traceparent` and is
 * the parent of everything the request sets off (commands, appends, and through the events'
 * metadata, the processes that react to them).
 */
export function observeRequests(metrics: SeamsMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // Nothing of the span is made unless tracing is on: this runs for every request.
    const traced = tracingEnabled() && startSpan(`HTTP ${req.method}`, {
      kind: SpanKind.SERVER,
      parent: typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined,
      attributes: { 'http.request.method': req.method, 'url.path': req.path },
    });
    res.once('close', () => {
      const route = (res.locals[ROUTE] as string | undefined) ?? 'unmatched';
      const status = String(res.statusCode);
      metrics.httpDuration.observe({ method: req.method, route, status }, Number(process.hrtime.bigint() - started) / 1e9);
      if (!traced) return;
      traced.span.updateName(`${req.method} ${route}`);
      traced.span.setAttributes({ 'http.route': route, 'http.response.status_code': res.statusCode });
      if (res.statusCode >= 500) failed(traced.span, new Error(`answered ${status}`));
      traced.span.end();
    });
    withContext(traced ? traced.context : undefined, next);
  };
}
