import type { RequestHandler } from 'express';
import { processCounts } from '../runtime/processInspection.js';
import type { ModuleRuntime } from '../runtime/runtime.js';
import type { SeamsMetrics } from '../telemetry/metrics.js';
import type { ProjectionState, ProjectionStatus } from '../types/projection.js';

const STATES: readonly ProjectionState[] = ['catching-up', 'live', 'building', 'failed', 'ahead-of-log', 'retired', 'stopped'];
const BREAKER = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * Parked streams as the status reports them: a list (`parked`), or a count (`parkedStreams`);
 * 0 while projections do not park.
 */
function parkedStreams(status: ProjectionStatus): number {
  const s = status as ProjectionStatus & { parked?: unknown; parkedStreams?: unknown };
  if (Array.isArray(s.parked)) return s.parked.length;
  if (typeof s.parkedStreams === 'number') return s.parkedStreams;
  return 0;
}

/** Sets the gauges from what the runtime reports now: projections, processes, breakers, leases. */
export async function collect(runtime: ModuleRuntime, metrics: SeamsMetrics): Promise<void> {
  const [projections, processes, leases] = await Promise.all([runtime.projectionStatus(), processCounts(runtime.inspected()), runtime.leases()]);
  for (const gauge of [metrics.projectionLagEvents, metrics.projectionLagSeconds, metrics.projectionState, metrics.projectionParked, metrics.processInstances, metrics.outboxDepth, metrics.commandsSetAside, metrics.breakerState, metrics.leaseHolder]) {
    gauge.reset();
  }
  for (const p of projections) {
    const labels = { module: p.module, projection: p.projection };
    metrics.projectionLagEvents.set(labels, p.lag);
    metrics.projectionLagSeconds.set(labels, p.lagSeconds ?? 0);
    metrics.projectionParked.set(labels, parkedStreams(p));
    for (const state of STATES) metrics.projectionState.set({ ...labels, state }, p.state === state ? 1 : 0);
  }
  for (const p of processes) {
    const labels = { module: p.module, process: p.type };
    for (const status of ['running', 'compensating', 'completed', 'failed', 'compensated']) metrics.processInstances.set({ ...labels, status }, p.instances[status] ?? 0);
    metrics.outboxDepth.set(labels, p.outboxDepth);
    metrics.commandsSetAside.set(labels, p.setAside);
  }
  for (const b of runtime.breakerStates()) metrics.breakerState.set({ module: b.module }, BREAKER[b.state]);
  for (const l of leases) metrics.leaseHolder.set({ module: l.module, holder: l.holder, here: l.here ? '1' : '0' }, 1);
}

/** `GET /metrics`: Prometheus text, the gauges read at the moment of the scrape. */
export function metricsRoute(runtime: ModuleRuntime, metrics: SeamsMetrics): RequestHandler {
  return async (_req, res, next) => {
    try {
      await collect(runtime, metrics);
      res.setHeader('content-type', metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
    } catch (error) {
      next(error);
    }
  };
}
