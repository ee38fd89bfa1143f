/**
 * Spans as tests look at them: collected from an in-memory exporter or an OTLP/HTTP JSON
 * request, and walked up from child to parent.
 */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  attributes: Record<string, unknown>;
}

/** The spans of one OTLP/HTTP JSON export request (`POST /v1/traces`). */
export function spansOfOtlp(body: any): SpanRecord[] {
  const value = (v: any) => v?.stringValue ?? v?.intValue ?? v?.boolValue ?? v?.doubleValue;
  const attributes = (list: any[] = []) => Object.fromEntries(list.map((a) => [a.key, value(a.value)]));
  return (body.resourceSpans ?? []).flatMap((rs: any) => {
    const service = String(attributes(rs.resource?.attributes)['service.name']);
    return (rs.scopeSpans ?? []).flatMap((ss: any) =>
      (ss.spans ?? []).map((s: any) => ({ traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId || undefined, name: s.name, service, attributes: attributes(s.attributes) })),
    );
  });
}

/** The span and its ancestors, nearest first, as far as the collected spans reach. */
export function ancestry(spans: readonly SpanRecord[], span: SpanRecord): SpanRecord[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain = [span];
  for (let at = span; at.parentSpanId && byId.has(at.parentSpanId); ) chain.push((at = byId.get(at.parentSpanId)!));
  return chain;
}

/** Names along the chain from the root down to `span`, with the service that made each (`service: name`). */
export function pathTo(spans: readonly SpanRecord[], span: SpanRecord): string[] {
  return ancestry(spans, span)
    .reverse()
    .map((s) => `${s.service}: ${s.name}`);
}
