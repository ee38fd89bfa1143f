/**
 * npm run bench:jobs [-- --jobs 10000 --concurrency 32 --runs 3 --rate <jobs/s>]
 * Jobs through the pipeline to `scheduled`, over HTTP: the real server (the jobs module alone,
 * SQLite in a temp dir, a pool large enough for every job) in this process, a client posting
 * `POST /jobs` with a fixed number of requests in flight. The clock runs from the first job's
 * JobAccepted to the last JobScheduled (the events' recordedAt); latency is each job's
 * JobScheduled.recordedAt − JobAccepted.recordedAt. Prints jobs/s, p50/p99 of that latency and
 * the intake rate per run; the last line is one JSON object with the medians over the runs.
 * Submitted as fast as the server takes them (the default), the latency is mostly time spent
 * waiting in line behind earlier jobs; `--rate` paces the intake to see it below saturation.
 */
import { Command } from 'commander';
import { positiveInteger } from '../src/kernel/cli/argParsers.js';
import pino from 'pino';
import { loadConfig, startServer, type EventStore, type RecordedEvent } from '../src/kernel/host.js';
import { JobScheduled } from '../src/modules/jobs/contracts.js';
import { identity } from '../src/modules/identity/index.js';
import { jobs as jobsModule } from '../src/modules/jobs/index.js';
import { tempDir } from '../test/support/tempDir.js';

const opts = new Command('bench:jobs')
  .description('Benchmark jobs through validate → prepare → schedule, submitted over HTTP')
  .option('--jobs <n>', 'jobs per run', positiveInteger, 10_000)
  .option('--concurrency <n>', 'POST /jobs requests in flight', positiveInteger, 32)
  .option('--runs <n>', 'runs, each on a fresh server and data directory; figures are medians', positiveInteger, 3)
  .option('--rate <jobs/s>', 'submit at this pace instead of as fast as the server takes them (latency below saturation)', positiveInteger)
  .parse()
  .opts<{ jobs: number; concurrency: number; runs: number; rate?: number }>();

interface Figures {
  jobsPerS: number;
  p50AcceptedToScheduledMs: number;
  p99AcceptedToScheduledMs: number;
  intakePerS: number;
}

const TYPE = 'bench';
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function run(index: number): Promise<Figures> {
  const dir = await tempDir('seams-bench-jobs-');
  const config = { ...loadConfig({}), port: 0, dataDir: dir.path, logLevel: 'silent', env: { JOBS_POOL_SIZE: String(opts.jobs * 2) } };
  // identity issues the end system's service token (and keeps what revokes it); jobs does the work.
  const server = await startServer([identity, jobsModule], config, pino({ level: 'silent' }));
  const base = `http://127.0.0.1:${server.port}`;
  try {
    // Without SEAMS_ADMIN_TOKEN a local client is the admin: it issues the token the end system submits with.
    const issued = await fetch(`${base}/identity/service-tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', scopes: ['jobs:submit', 'jobs:read'] }) });
    if (issued.status !== 201) throw new Error(`POST /identity/service-tokens: ${issued.status} ${await issued.text()}`);
    const authorization = `Bearer ${((await issued.json()) as { token: string }).token}`;
    let next = 0;
    const intakeStarted = performance.now();
    const client = async () => {
      while (next < opts.jobs) {
        const n = next++;
        if (opts.rate) {
          const due = intakeStarted + (n * 1000) / opts.rate;
          if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
        }
        const res = await fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ type: TYPE, payload: { n, frames: [1, 2, 3] } }) });
        if (res.status !== 202) throw new Error(`POST /jobs: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, client));
    const intakeS = (performance.now() - intakeStarted) / 1000;

    // Wait until the pool holds a slot for every job and every job is scheduled.
    for (;;) {
      const pool = (await (await fetch(`${base}/jobs/pools/${TYPE}`, { headers: { authorization } })).json()) as { reserved: number };
      if (pool.reserved === opts.jobs && (await countScheduled(server.store)) === opts.jobs) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const acceptedAt = new Map<string, number>();
    const latencies: number[] = [];
    let first = Infinity;
    let last = 0;
    for await (const e of events(server.store, ['jobs.JobAccepted', JobScheduled.type])) {
      const jobId = (e.data as { jobId: string }).jobId;
      const at = Date.parse(e.recordedAt);
      if (e.type === 'jobs.JobAccepted') {
        acceptedAt.set(jobId, at);
        first = Math.min(first, at);
      } else {
        latencies.push(at - acceptedAt.get(jobId)!);
        last = Math.max(last, at);
      }
    }
    latencies.sort((a, b) => a - b);
    const figures: Figures = {
      jobsPerS: Math.round(opts.jobs / ((last - first) / 1000)),
      p50AcceptedToScheduledMs: percentile(latencies, 50),
      p99AcceptedToScheduledMs: percentile(latencies, 99),
      intakePerS: Math.round(opts.jobs / intakeS),
    };
    console.log(
      `run ${index + 1}: ${opts.jobs} jobs accepted → scheduled in ${((last - first) / 1000).toFixed(1)} s: ${figures.jobsPerS} jobs/s; ` +
        `accepted → scheduled p50 ${figures.p50AcceptedToScheduledMs} ms, p99 ${figures.p99AcceptedToScheduledMs} ms; intake ${figures.intakePerS} POST/s`,
    );
    return figures;
  } finally {
    await server.close();
    await dir.cleanup();
  }
}

async function* events(store: EventStore, eventTypes: string[]): AsyncGenerator<RecordedEvent> {
  let after = 0;
  for (;;) {
    const batch = await store.readAll({ after, maxCount: 5000, filter: { eventTypes } });
    if (batch.length === 0) return;
    yield* batch;
    after = batch.at(-1)!.position;
  }
}

async function countScheduled(store: EventStore): Promise<number> {
  let n = 0;
  for await (const _ of events(store, [JobScheduled.type])) n++;
  return n;
}

const pace = opts.rate ? `at ${opts.rate} jobs/s` : `as fast as taken, ${opts.concurrency} in flight`;
console.log(`bench:jobs — ${opts.jobs} jobs over HTTP (${pace}) through validate → prepare → schedule, ${opts.runs} run(s), SQLite`);
const results: Figures[] = [];
for (let i = 0; i < opts.runs; i++) results.push(await run(i));
const summary = {
  jobs: opts.jobs,
  runs: opts.runs,
  jobsPerS: median(results.map((r) => r.jobsPerS)),
  p50AcceptedToScheduledMs: median(results.map((r) => r.p50AcceptedToScheduledMs)),
  p99AcceptedToScheduledMs: median(results.map((r) => r.p99AcceptedToScheduledMs)),
  intakePerS: median(results.map((r) => r.intakePerS)),
};
console.log(JSON.stringify(summary));
