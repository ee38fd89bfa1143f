import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The metrics one server exposes at `GET /metrics` (Prometheus text). Histograms are observed
 * as things happen (requests, appends); gauges are set from the status of projections,
 * processes, breakers and leases when `/metrics` is read (server/metricsRoute.ts), so nothing
 * runs between scrapes.
 */
export class SeamsMetrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'seams_http_request_duration_seconds',
    help: 'HTTP requests by method, route (its template) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly appendDuration = new Histogram({
    name: 'seams_append_duration_seconds',
    help: 'appends to the event store, from the call until the commit is acknowledged',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  readonly appendBatch = new Histogram({
    name: 'seams_append_group_commit_size',
    help: 'appends committed together with each append (group commit), as the store reports it',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });

  readonly projectionLagEvents = this.gauge('seams_projection_lag_events', 'positions of the log a projection has not processed yet (events on SQLite)', ['module', 'projection']);
  readonly projectionLagSeconds = this.gauge('seams_projection_lag_seconds', 'age of the oldest event of its types a projection has not processed (0 when caught up)', ['module', 'projection']);
  readonly projectionState = this.gauge('seams_projection_state', 'the state of each projection: 1 for its current state', ['module', 'projection', 'state']);
  readonly projectionParked = this.gauge('seams_projection_parked_streams', 'streams a projection has parked (set aside behind a failing event)', ['module', 'projection']);
  readonly processInstances = this.gauge('seams_process_instances', 'process instances by status', ['module', 'process', 'status']);
  readonly outboxDepth = this.gauge('seams_process_outbox_depth', 'commands waiting in a process outbox', ['module', 'process']);
  readonly commandsSetAside = this.gauge('seams_process_commands_set_aside', 'commands given up (refused or out of retries), waiting for an operator', ['module', 'process']);
  readonly breakerState = this.gauge('seams_breaker_state', 'circuit breaker towards a module: 0 closed, 1 half-open, 2 open', ['module']);
  readonly leaseHolder = this.gauge('seams_lease_holder', 'who runs a module\'s projections and processes: 1 for the holder (`here` 1 when it is this process)', ['module', 'holder', 'here']);

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'seams_' });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
