/**
 * npm run bench:http [-- --duration 10 --connections 64 --runs 1 --tracing --metrics]
 * The real server as a child process on loopback (SQLite in a temp dir, synchronous=FULL):
 * (1) authenticated item creations, POST /catalog/items; (2) reads of the created items,
 * GET /catalog/items/:id. Prints req/s, p50 and p99 of each phase; the last line is one JSON
 * object with the medians over the runs. Any non-2xx answer or connection error fails the run.
 * After each run the same two phases go against a bare express 5 app (bench/expressFloor.ts):
 * the floor, what this machine and the load generator allow before seams does any work.
 * `--tracing` runs each run's phases a second time on a server with tracing on (spans exported
 * over OTLP/HTTP to a sink that drops them), for the overhead in the same sitting; `--metrics`
 * scrapes GET /metrics after the load, for what a scrape costs.
 * Then, on the same server and on the floor, an open-loop phase: writes, then reads, sent on a
 * schedule at `--paced-rate` (1,000 req/s) whether or not earlier ones were answered, over the
 * same `--connections`, latency counted from each request's scheduled time, so that a stall is
 * not hidden by a client waiting for it (keys pacedWriteP99Ms, pacedReadP99Ms,
 * floorPacedWriteP99Ms, floorPacedReadP99Ms).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { Command } from 'commander';
import { positiveInteger } from '../src/kernel/cli/argParsers.js';
import { REPO_ROOT, requestJson, signUp, startServerProcess, type ServerProcess } from '../test/support/serverProcess.js';
import { ConnectionPool, type PooledReply } from './support/connectionPool.js';
import { openLoop } from './support/openLoop.js';
import { latencyFigures, median } from './support/stats.js';
import { failureMessage } from './support/failure.js';

const program = new Command('bench:http')
  .description('Benchmark the HTTP API of the real server: item creations (writes), then item reads')
  .option('--duration <seconds>', 'seconds per phase', positiveInteger, 10)
  .option('--connections <n>', 'concurrent connections per phase', positiveInteger, 64)
  .option('--runs <n>', 'runs, each on a fresh server and data directory; figures are medians', positiveInteger, 1)
  .option('--cpu-prof <dir>', 'write a V8 CPU profile of the server into this directory')
  .option('--no-floor', 'skip the floor: the same load against a bare express 5 app (bench/expressFloor.ts)')
  .option('--tracing', 'each run also with tracing on (OTLP/HTTP to a sink here that drops the spans): the overhead, same sitting')
  .option('--metrics', 'after the load, scrape GET /metrics for a few seconds: its latency and size')
  .option('--paced-rate <req/s>', 'the open-loop phases: requests sent per second on schedule', positiveInteger, 1000)
  .parse();
const opts = program.opts<{ duration: number; connections: number; runs: number; cpuProf?: string; floor: boolean; tracing?: boolean; metrics?: boolean; pacedRate: number }>();

interface Phase {
  perS: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
}

interface Paced {
  p50Ms: number;
  p99Ms: number;
}

interface Figures {
  writes: Phase;
  reads: Phase;
  pacedWrites?: Paced;
  pacedReads?: Paced;
}

function summarize(name: string, result: autocannon.Result): Phase {
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) {
    const codes = Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => `${code}: ${s.count ?? 0}`).join(', ');
    throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} connection errors, ${result.timeouts} timeouts (status codes ${codes})`);
  }
  const total = result['2xx'];
  return { perS: Math.round(total / result.duration), p50Ms: result.latency.p50, p99Ms: result.latency.p99, total };
}

function print(name: string, phase: Phase): void {
  console.log(`  ${name.padEnd(13)} ${String(phase.perS).padStart(7)} req/s   p50 ${String(phase.p50Ms).padStart(4)} ms   p99 ${String(phase.p99Ms).padStart(4)} ms   (${phase.total} requests)`);
}

/** Item creations for `duration` seconds; returns the phase and the ids created. */
async function createItems(base: string, token: string): Promise<{ phase: Phase; ids: string[] }> {
  const ids: string[] = [];
  let n = 0;
  const result = await autocannon({
    url: base,
    connections: opts.connections,
    duration: opts.duration,
    requests: [
      {
        method: 'POST',
        path: '/catalog/items',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ title: `bench item ${n++}`, priceCents: n % 10_000 }) }),
        onResponse: (status, body) => {
          if (status === 201) ids.push((JSON.parse(body) as { itemId: string }).itemId);
        },
      },
    ],
  });
  const phase = summarize('writes', result);
  if (ids.length === 0) throw new Error('writes: no item was created');
  return { phase, ids };
}

async function readItems(base: string, ids: string[]): Promise<Phase> {
  let next = 0;
  const result = await autocannon({
    url: base,
    connections: opts.connections,
    duration: opts.duration,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `/catalog/items/${ids[next++ % ids.length]}` }) }],
  });
  return summarize('reads', result);
}

/**
 * Writes, then reads, at `--paced-rate` for `--duration` seconds each, open loop: latency from each
 * request's due time. Over `--connections` keep-alive connections, as the closed-loop phases
 * (bench/support/connectionPool.ts says why not fetch's growing pool).
 */
async function paced(base: string, token: string, ids: string[]): Promise<{ pacedWrites: Paced; pacedReads: Paced }> {
  const count = opts.pacedRate * opts.duration;
  const pool = new ConnectionPool(base, opts.connections);
  const phase = async (request: (n: number) => Promise<PooledReply>): Promise<Paced> => {
    const latencies: number[] = [];
    await openLoop(count, opts.pacedRate, async (n, dueAt) => {
      const res = await request(n);
      if (res.status >= 300) throw new Error(`paced: ${res.status}: ${res.body.slice(0, 200)}`);
      latencies.push(Date.now() - dueAt);
    });
    const { p50, p99 } = latencyFigures(latencies);
    return { p50Ms: p50, p99Ms: p99 };
  };
  try {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const pacedWrites = await phase((n) => pool.request('POST', '/catalog/items', { headers, body: JSON.stringify({ title: `paced item ${n}`, priceCents: n % 10_000 }) }));
    const pacedReads = await phase((n) => pool.request('GET', `/catalog/items/${ids[n % ids.length]}`));
    return { pacedWrites, pacedReads };
  } finally {
    pool.close();
  }
}

function printPaced(name: string, phase: Paced): void {
  console.log(`  ${name.padEnd(13)} ${String(opts.pacedRate).padStart(7)} req/s   p50 ${String(phase.p50Ms).padStart(4)} ms   p99 ${String(phase.p99Ms).padStart(4)} ms   (open loop, from the scheduled time)`);
}

/** Scrapes /metrics from one connection for a few seconds: what a scrape costs, and how big it is. */
async function scrapeMetrics(base: string): Promise<Phase & { bytes: number }> {
  const result = await autocannon({ url: `${base}/metrics`, connections: 1, duration: Math.min(5, opts.duration) });
  const bytes = (await (await fetch(`${base}/metrics`)).text()).length;
  return { ...summarize('metrics', result), bytes };
}

/** A collector that takes OTLP/HTTP exports and drops them (the exporter's work is measured, not a backend's). */
async function spanSink(): Promise<{ url: string; close(): void }> {
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  sink.listen(0, '127.0.0.1');
  await once(sink, 'listening');
  return { url: `http://127.0.0.1:${(sink.address() as { port: number }).port}`, close: () => sink.close() };
}

async function run(env: Record<string, string> = {}): Promise<Figures & { metrics?: Phase & { bytes: number } }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'seams-bench-http-'));
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess({ dataDir, env, nodeArgs: opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProf}`] : [] });
    const { base } = server;
    const { token, position } = await signUp(base, 'Bench');
    // Let catalog's replica of users know the owner before the clock starts.
    const ready = await requestJson(base, 'GET', '/catalog/items?limit=1', { headers: { 'min-position': String(position) } });
    if (ready.status !== 200) throw new Error(`catalog did not catch up: ${ready.status} ${ready.text}`);

    const { phase: writes, ids } = await createItems(base, token);
    // Reads start once catalog's projection holds every item written (read-your-writes).
    const head = (await requestJson(base, 'GET', '/health/ready')).body.headPosition as number;
    const caughtUp = await requestJson(base, 'GET', `/catalog/items/${ids[ids.length - 1]}`, { headers: { 'min-position': String(head) } });
    if (caughtUp.status !== 200) throw new Error(`catalog did not catch up with the writes: ${caughtUp.status} ${caughtUp.text}`);
    const reads = await readItems(base, ids);
    const { pacedWrites, pacedReads } = await paced(base, token, ids);
    const metrics = opts.metrics ? await scrapeMetrics(base) : undefined;

    const exit = await server.stop('SIGTERM');
    if (exit.code !== 0) throw new Error(`the server did not stop cleanly: ${JSON.stringify(exit)}\n${server.output()}`);
    return { writes, reads, pacedWrites, pacedReads, metrics };
  } catch (error) {
    if (server) {
      await server.stop('SIGKILL');
      if (server.output()) console.error(`server output:\n${server.output()}`);
    }
    throw error;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The same two phases against bench/expressFloor.ts: express 5 answering with no work behind it. */
async function runFloor(): Promise<Figures> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/expressFloor.ts'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const base = `http://127.0.0.1:${Number(line)}`;
    const { phase: writes, ids } = await createItems(base, 'floor');
    const reads = await readItems(base, ids);
    return { writes, reads, ...(await paced(base, 'floor', ids)) };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

try {
  console.log(`bench:http: ${opts.connections} connections, ${opts.duration} s per phase, ${opts.runs} run(s); SQLite synchronous=FULL, LOG_LEVEL=warn`);
  const all: (Figures & { metrics?: Phase & { bytes: number } })[] = [];
  const floors: Figures[] = [];
  const traced: Figures[] = [];
  const sink = opts.tracing ? await spanSink() : undefined;
  for (let i = 1; i <= opts.runs; i++) {
    console.log(`run ${i}:`);
    const figures = await run();
    print('writes', figures.writes);
    print('reads', figures.reads);
    printPaced('paced writes', figures.pacedWrites!);
    printPaced('paced reads', figures.pacedReads!);
    if (figures.metrics) console.log(`  /metrics      ${String(figures.metrics.perS).padStart(7)} scrapes/s p50 ${figures.metrics.p50Ms} ms   p99 ${figures.metrics.p99Ms} ms   (${figures.metrics.bytes} bytes each)`);
    all.push(figures);
    if (sink) {
      const tracing = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: sink.url });
      print('traced writes', tracing.writes);
      print('traced reads', tracing.reads);
      traced.push(tracing);
    }
    if (opts.floor) {
      const floor = await runFloor();
      print('floor writes', floor.writes);
      print('floor reads', floor.reads);
      printPaced('floor p.writes', floor.pacedWrites!);
      printPaced('floor p.reads', floor.pacedReads!);
      floors.push(floor);
    }
  }
  const summary = {
    writesPerS: median(all.map((f) => f.writes.perS)),
    writeP50Ms: median(all.map((f) => f.writes.p50Ms)),
    writeP99Ms: median(all.map((f) => f.writes.p99Ms)),
    readsPerS: median(all.map((f) => f.reads.perS)),
    readP50Ms: median(all.map((f) => f.reads.p50Ms)),
    readP99Ms: median(all.map((f) => f.reads.p99Ms)),
    pacedWriteP99Ms: median(all.map((f) => f.pacedWrites!.p99Ms)),
    pacedReadP99Ms: median(all.map((f) => f.pacedReads!.p99Ms)),
    ...(opts.metrics && {
      metricsScrapeP50Ms: median(all.map((f) => f.metrics!.p50Ms)),
      metricsScrapeP99Ms: median(all.map((f) => f.metrics!.p99Ms)),
      metricsBytes: median(all.map((f) => f.metrics!.bytes)),
    }),
    ...(opts.tracing && {
      tracedWritesPerS: median(traced.map((f) => f.writes.perS)),
      tracedWriteP99Ms: median(traced.map((f) => f.writes.p99Ms)),
      tracedReadsPerS: median(traced.map((f) => f.reads.perS)),
      tracedReadP99Ms: median(traced.map((f) => f.reads.p99Ms)),
      tracedWritesRatio: Math.round((median(traced.map((f) => f.writes.perS)) / median(all.map((f) => f.writes.perS))) * 100) / 100,
      tracedReadsRatio: Math.round((median(traced.map((f) => f.reads.perS)) / median(all.map((f) => f.reads.perS))) * 100) / 100,
    }),
    ...(opts.floor && {
      floorWritesPerS: median(floors.map((f) => f.writes.perS)),
      floorWriteP99Ms: median(floors.map((f) => f.writes.p99Ms)),
      floorReadsPerS: median(floors.map((f) => f.reads.perS)),
      floorReadP99Ms: median(floors.map((f) => f.reads.p99Ms)),
      floorPacedWriteP99Ms: median(floors.map((f) => f.pacedWrites!.p99Ms)),
      floorPacedReadP99Ms: median(floors.map((f) => f.pacedReads!.p99Ms)),
    }),
  };
  sink?.close();
  if (opts.runs > 1) console.log(`median of ${opts.runs} runs:`);
  console.log(JSON.stringify(summary));
} catch (error) {
  console.error(`bench:http FAILED: ${failureMessage(error)}`);
  process.exitCode = 1;
}
