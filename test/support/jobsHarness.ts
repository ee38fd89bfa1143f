import { join } from 'node:path';
import { ModuleRuntime, SqliteEventStore, loadConfig, registryOf, type RuntimeOptions } from '../../src/kernel/host.js';
import { identity } from '../../src/modules/identity/index.js';
import { jobsModule, type JobsOptions } from '../../src/modules/jobs/index.js';
import { handleJob } from '../../src/modules/jobs/job.js';
import { quietLog } from './runtimeHarness.js';

/**
 * The jobs module alone in a runtime, with fast retries. `logDir` is where the log lives (default:
 * `dataDir`): two runtimes with their own data dirs on one log behave like two processes.
 */
export async function startJobs(
  dataDir: string,
  options: { poolSize?: number; jobs?: JobsOptions; logDir?: string; startProjections?: boolean; processes?: RuntimeOptions['processes'] } = {},
) {
  // identity issues the credentials jobs' routes check (its access replica); only jobs runs here.
  const modules = [identity, jobsModule(options.jobs)];
  const store = await SqliteEventStore.open({ filename: join(options.logDir ?? dataDir, 'events.sqlite'), registry: registryOf(modules), pollIntervalMs: 20 });
  const runtime = await ModuleRuntime.start({
    modules,
    run: ['jobs'],
    store,
    database: { kind: 'sqlite', dataDir },
    log: quietLog,
    config: { ...loadConfig({}), dataDir, env: { JOBS_POOL_SIZE: String(options.poolSize ?? 100) } },
    projections: { backoffMs: 5, maxBackoffMs: 20, recheckMs: 50 },
    processes: { pollMs: 10, backoffMs: 5, maxBackoffMs: 20, maxAttempts: 4, ...options.processes },
    startProjections: options.startProjections,
  });
  const ctx = () => runtime.context('jobs');
  return {
    store,
    runtime,
    ctx,
    /** Accepts a job as POST /jobs does, in a request whose id is `requestId`; returns the job's id. */
    async submit(payload: unknown = { n: 1 }, type = 'render', requestId = crypto.randomUUID()): Promise<string> {
      const jobId = crypto.randomUUID();
      const events = ctx().events;
      const stamp = { correlationId: requestId, causationId: requestId };
      await handleJob({ ...events, append: (stream, list, options = {}) => events.append(stream, list, { ...options, metadata: { ...stamp, ...options.metadata } }) }, { kind: 'accept', jobId, type, submittedBy: 'service:jobs-harness', payload });
      return jobId;
    },
    /** The job's events' types, without the `jobs.` prefix. */
    async jobEvents(jobId: string): Promise<string[]> {
      return (await store.readStream(`jobs.job-${jobId}`)).map((e) => e.type.slice('jobs.'.length));
    },
    async stop() {
      await runtime.stop();
      await store.close();
    },
  };
}

export type JobsApp = Awaited<ReturnType<typeof startJobs>>;

/** Polls until `probe` satisfies `ok` (mocha's timeout bounds the wait); returns the last value. */
export async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
