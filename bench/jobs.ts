/**
 * npm run bench:jobs [-- --jobs 10000 --concurrency 32 --runs 3 --rate <jobs/s> --sqlite-probe]
 * Jobs through the pipeline to `scheduled`, over HTTP: the real server (the jobs module alone,
 * SQLite in a temp dir, a pool large enough for every job) in this process, a client posting
 * `POST /jobs` with a fixed number of requests in flight. The clock runs from the first job's
 * JobAccepted to the last JobScheduled (the events' recordedAt); latency is each job's
 * JobScheduled.recordedAt − JobAccepted.recordedAt. Prints jobs/s, p50/p99 of that latency and
 * the intake rate per run; the last line is one JSON object with the medians over the runs.
 * Submitted as fast as the server takes them (the default), the latency is mostly time spent
 * waiting in line behind earlier jobs; so each run then submits half as many jobs on a schedule at
 * half the rate it measured (open loop: sent when due whether or not earlier ones were answered),
 * latency counted from each job's scheduled time to its JobScheduled (`pacedP99AcceptedToScheduledMs`).
 * `--rate` paces that phase at a rate of your own instead. `--sqlite-probe` prints, after each run, what
 * each SQLite connection did over it (bench/support/sqliteProbe.ts): trips per job, and the share
 * of the run it was busy and held inside transactions.
 */
import { Command } from 'commander';
import { positiveInteger } from '../src/kernel/cli/argParsers.js';
import pino from 'pino';
import { loadConfig, startServer, type EventStore } from '../src/kernel/host.js';
import { JobScheduled } from '../src/modules/jobs/contracts.js';
import { JobAccepted, JobPrepared, JobValidated, SlotReserved } from '../src/modules/jobs/events.js';
import { identity } from '../src/modules/identity/index.js';
import { jobs as jobsModule } from '../src/modules/jobs/index.js';
import { tempDir } from '../test/support/tempDir.js';
import { countEvents, eventsOfTypes, until } from './support/log.js';
import { closedLoop, openLoop } from './support/openLoop.js';
import { probeLines, probeSqlite } from './support/sqliteProbe.js';
import { latencyFigures, median } from './support/stats.js';
import { failureMessage } from './support/failure.js';

const opts = new Command('bench:jobs')
  .description('Benchmark jobs through validate → prepare → schedule, submitted over HTTP')
  .option('--jobs <n>', 'jobs per run', positiveInteger, 10_000)
  .option('--concurrency <n>', 'POST /jobs requests in flight', positiveInteger, 32)
  .option('--runs <n>', 'runs, each on a fresh server and data directory; figures are medians', positiveInteger, 3)
  .option('--rate <jobs/s>', 'the paced phase at this rate instead of half the measured maximum', positiveInteger)
  .option('--sqlite-probe', "after each run, each SQLite connection's trips per job and its share of the run busy and inside transactions")
  .parse()
  .opts<{ jobs: number; concurrency: number; runs: number; rate?: number; sqliteProbe?: boolean }>();

interface Figures {
  jobsPerS: number;
  p50AcceptedToScheduledMs: number;
  p99AcceptedToScheduledMs: number;
  intakePerS: number;
  pacedRate: number;
  pacedP50AcceptedToScheduledMs: number;
  pacedP99AcceptedToScheduledMs: number;
}

const TYPE = 'bench';
const pacedCount = Math.max(1, Math.round(opts.jobs / 2));

/** The stations' events, in the order a job passes them. */
const HOPS = [JobAccepted, JobValidated, JobPrepared, SlotReserved, JobScheduled] as const;
type Times = { acceptedAt: number; scheduledAt?: number; at: Map<string, number> };

/** Each job's times (epoch ms) at every station's event, by job id. */
async function timeline(store: EventStore): Promise<Map<string, Times>> {
  const jobs = new Map<string, Times>();
  for await (const e of eventsOfTypes(store, HOPS.map((h) => h.type))) {
    const jobId = (e.data as { jobId: string }).jobId;
    const at = Date.parse(e.recordedAt);
    if (e.type === JobAccepted.type) jobs.set(jobId, { acceptedAt: at, at: new Map([[e.type, at]]) });
    const job = jobs.get(jobId)!;
    job.at.set(e.type, at);
    if (e.type === JobScheduled.type) job.scheduledAt = at;
  }
  return jobs;
}

/** Where the time goes: the median of each hop (one station's event to the next) over `jobs`. */
function hops(jobs: Times[]): string {
  return HOPS.slice(1)
    .map((hop, i) => `→ ${hop.type.split('.')[1]} ${latencyFigures(jobs.map((j) => j.at.get(hop.type)! - j.at.get(HOPS[i]!.type)!)).p50} ms`)
    .join(', ');
}

async function run(index: number): Promise<Figures> {
  const dir = await tempDir('seams-bench-jobs-');
  const total = opts.jobs + pacedCount;
  const config = { ...loadConfig({}), port: 0, dataDir: dir.path, logLevel: 'silent', env: { JOBS_POOL_SIZE: String(total * 2) } };
  const probe = opts.sqliteProbe ? probeSqlite(dir.path) : undefined;
  // identity issues the end system's service token (and keeps what revokes it); jobs does the work.
  const server = await startServer([identity, jobsModule], config, pino({ level: 'silent' }));
  const base = `http://127.0.0.1:${server.port}`;
  try {
    // Without SEAMS_ADMIN_TOKEN a local client is the admin: it issues the token the end system submits with.
    const issued = await fetch(`${base}/identity/service-tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', scopes: ['jobs:submit', 'jobs:read'] }) });
    if (issued.status !== 201) throw new Error(`POST /identity/service-tokens: ${issued.status} ${await issued.text()}`);
    const authorization = `Bearer ${((await issued.json()) as { token: string }).token}`;
    const submit = async (n: number): Promise<string> => {
      const res = await fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ type: TYPE, payload: { n, frames: [1, 2, 3] } }) });
      if (res.status !== 202) throw new Error(`POST /jobs: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { jobId: string }).jobId;
    };
    /**
     * Until the pool holds a slot for every job and every job is scheduled. The pool's count is one
     * row; the log's JobScheduled events are counted only once it is full (counting them on every
     * poll read thousands of events, in the process being measured).
     */
    const untilScheduled = (expected: number) => {
      let lastReport = Date.now();
      return until(
        async () => {
          const pool = (await (await fetch(`${base}/jobs/pools/${TYPE}`, { headers: { authorization } })).json()) as { reserved: number };
          if (Date.now() - lastReport > 5000) {
            console.log(`  ${pool.reserved}/${expected} jobs hold a slot`);
            lastReport = Date.now();
          }
          return pool.reserved === expected && (await countEvents(server.store, [JobScheduled.type])) === expected;
        },
        { timeoutMs: 30 * 60_000 },
      );
    };

    // (1) as fast as the server takes them.
    const maxIds: string[] = [];
    const intakeStarted = performance.now();
    await closedLoop(opts.jobs, opts.concurrency, async (n) => void maxIds.push(await submit(n)));
    const intakeS = (performance.now() - intakeStarted) / 1000;
    await untilScheduled(opts.jobs);
    let jobs = await timeline(server.store);
    const spans = maxIds.map((id) => jobs.get(id)!);
    const first = Math.min(...spans.map((j) => j.acceptedAt));
    const last = Math.max(...spans.map((j) => j.scheduledAt!));
    const max = latencyFigures(spans.map((j) => j.scheduledAt! - j.acceptedAt));
    const jobsPerS = Math.round(opts.jobs / ((last - first) / 1000));
    const intakePerS = Math.round(opts.jobs / intakeS);
    console.log(
      `run ${index + 1}: ${opts.jobs} jobs accepted → scheduled in ${((last - first) / 1000).toFixed(1)} s: ${jobsPerS} jobs/s; ` +
        `accepted → scheduled p50 ${max.p50} ms, p99 ${max.p99} ms; intake ${intakePerS} POST/s`,
    );

    // (2) on a schedule, at half that rate (or --rate): latency from when each job was due.
    const pacedRate = opts.rate ?? Math.max(1, Math.round(jobsPerS / 2));
    const dueAt = new Map<string, number>();
    const { maxStartLagMs } = await openLoop(pacedCount, pacedRate, async (n, due) => void dueAt.set(await submit(opts.jobs + n), due));
    await untilScheduled(total);
    jobs = await timeline(server.store);
    const paced = latencyFigures([...dueAt].map(([id, due]) => jobs.get(id)!.scheduledAt! - due));
    console.log(`  paced at ${pacedRate} jobs/s (${pacedCount} jobs, sends at most ${maxStartLagMs} ms late): due → scheduled p50 ${paced.p50} ms, p99 ${paced.p99} ms`);
    console.log(`  paced, each hop's p50: JobAccepted ${hops([...dueAt.keys()].map((id) => jobs.get(id)!))}`);
    if (probe) console.log(['  SQLite connections over the run (both phases):', ...probeLines(probe.figures(), { count: total, unit: 'job' })].join('\n'));
    return {
      jobsPerS,
      p50AcceptedToScheduledMs: max.p50,
      p99AcceptedToScheduledMs: max.p99,
      intakePerS,
      pacedRate,
      pacedP50AcceptedToScheduledMs: paced.p50,
      pacedP99AcceptedToScheduledMs: paced.p99,
    };
  } finally {
    probe?.stop();
    await server.close();
    await dir.cleanup();
  }
}

try {
  console.log(`bench:jobs — ${opts.jobs} jobs over HTTP (${opts.concurrency} in flight), then ${pacedCount} paced (${opts.rate ? `${opts.rate} jobs/s` : 'half the rate'}), through validate → prepare → schedule, ${opts.runs} run(s), SQLite`);
  const results: Figures[] = [];
  for (let i = 0; i < opts.runs; i++) results.push(await run(i));
  const summary = Object.fromEntries(Object.keys(results[0]!).map((k) => [k, median(results.map((r) => r[k as keyof Figures]))]));
  if (opts.runs > 1) console.log(`median of ${opts.runs} runs:`);
  console.log(JSON.stringify({ jobs: opts.jobs, runs: opts.runs, ...summary }));
} catch (error) {
  console.error(`bench:jobs FAILED: ${failureMessage(error)}`);
  process.exitCode = 1;
}
