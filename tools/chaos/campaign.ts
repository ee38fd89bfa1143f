/**
 * One campaign: start the store and the cluster, run the workload and the fault schedule together,
 * heal, wait for quiet, observe, stop, compare every projection with a fresh rebuild, and check.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modules } from '../../src/application.js';
import { startOwnPostgres, type OwnPostgres } from '../../test/support/ownPostgres.js';
import { runCli } from '../../test/support/serverProcess.js';
import { tempDir } from '../../test/support/tempDir.js';
import { check } from './checker.js';
import { compareChecksums, projectionChecksums } from './checksums.js';
import { Client } from './client.js';
import { Cluster, MEMBERS } from './cluster.js';
import { injectFault, takeSnapshots, type FaultContext, type InjectedFault } from './faults.js';
import { observe, openSession, readLog } from './observe.js';
import { progressLine, type Outcome } from './report.js';
import { planFaults, Random, type FaultKind } from './schedule.js';
import { startSmtpSink, type SmtpSink } from './smtpSink.js';
import { Workload } from './workload.js';

export interface CampaignOptions {
  seed: number;
  minutes: number;
  store: 'sqlite' | 'postgres';
  faults: readonly FaultKind[];
  /** Concurrent workload clients. */
  clients: number;
  leaseTtlMs: number;
  /** Mean time between faults. */
  faultGapMs: number;
  /** How long to wait for the system to go quiet once healed. */
  quietTimeoutMs: number;
  /** Where mail goes: `.eml` files (the default without SMTP_URL) or the campaign's SMTP server. */
  mail: 'files' | 'smtp';
  /** Keep the data directory (always kept when something is wrong). */
  keep: boolean;
  /** The members' and gateway's LOG_LEVEL; their output is kept in <run>/logs either way. */
  logLevel: string;
  /** A progress line (replaces the previous one on a terminal). */
  progress(line: string): void;
  log(line: string): void;
}

const JOB_TYPES = ['render', 'encode'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A service token that may report job execution and read pools, made with the admin credential. */
async function reporterToken(cluster: Cluster): Promise<string> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const res = await fetch(`${cluster.base}/identity/service-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cluster.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'chaos end system', scopes: ['jobs:report', 'jobs:read'] }),
    }).catch(() => undefined);
    const body = res ? await res.json().catch(() => undefined) : undefined;
    if (res?.status === 201) return (body as { token: string }).token;
    await sleep(500);
  }
  throw new Error('could not make a service token for execution reports');
}

/**
 * Waits until the log's head has not moved for 5 s and every live projection has reached it:
 * the time that took, or what was still behind at the timeout.
 */
async function waitForQuiet(session: ReturnType<typeof openSession>, timeoutMs: number): Promise<{ quietMs: number | null; behind: string[] }> {
  const began = Date.now();
  const store = await session.openStore();
  let head = -1;
  let stableSince = Date.now();
  let behind: string[] = [];
  while (Date.now() - began < timeoutMs) {
    const now = await store.headPosition().catch(() => -1);
    if (now !== head) [head, stableSince] = [now, Date.now()];
    behind = [];
    for (const module of modules) {
      const rows = (await (await session.db(module.name))('projections').where('serving', true)) as { name: string; position: number | string; state: string }[];
      for (const r of rows) if (r.state === 'live' && Number(r.position) < head) behind.push(`${module.name}/${r.name} at ${r.position}`);
    }
    if (head >= 0 && Date.now() - stableSince >= 5000 && behind.length === 0) return { quietMs: Date.now() - began - 5000, behind };
    await sleep(500);
  }
  return { quietMs: null, behind: behind.map((b) => `${b} of ${head}`) };
}

function dumpDatabase(url: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => execFile('pg_dump', ['--dbname', url, '--file', file], (error) => (error ? reject(error) : resolve())));
}

export async function runCampaign(options: CampaignOptions): Promise<Outcome> {
  const dir = await tempDir(`seams-chaos-${options.seed}-`);
  const dataDir = join(dir.path, 'data');
  const durationMs = Math.round(options.minutes * 60_000);
  let postgres: OwnPostgres | undefined;
  let smtp: SmtpSink | undefined;
  let cluster: Cluster | undefined;
  let keep = options.keep;
  try {
    if (options.store === 'postgres') postgres = await startOwnPostgres();
    if (options.mail === 'smtp') smtp = await startSmtpSink();
    const storeEnv: Record<string, string> = postgres ? { SEAMS_STORE: 'postgres', DATABASE_URL: postgres.url } : { SEAMS_STORE: 'sqlite' };
    if (smtp) storeEnv.SMTP_URL = smtp.url;
    const names = modules.map((m) => m.name);
    const logDir = join(dir.path, 'logs');
    mkdirSync(logDir);
    cluster = new Cluster({ dataDir, storeEnv, modules: names, leaseTtlMs: options.leaseTtlMs, logDir, logLevel: options.logLevel, log: options.log });
    options.log(`chaos: seed ${options.seed}: three members and a gateway on ${options.store} (${dataDir})`);
    await cluster.start();
    const reporter = await reporterToken(cluster);

    const random = new Random(options.seed);
    const plan = planFaults(random.fork(), { durationMs, kinds: options.faults, members: MEMBERS, modules: names, meanGapMs: options.faultGapMs });
    const client = new Client(() => cluster!.base, `chaos-${options.seed}`);
    const workload = new Workload(client, reporter, options.seed);
    const context: FaultContext = { cluster, dataDir, modules: names, leaseTtlMs: options.leaseTtlMs, postgres, snapshotDir: join(dir.path, 'snapshots') };
    const injected: InjectedFault[] = [];
    const startedAt = Date.now();
    const end = startedAt + durationMs;
    let phase = 'workload';
    const ticker = setInterval(() => options.progress(progressLine({ seed: options.seed, store: options.store, elapsedMs: Date.now() - startedAt, totalMs: durationMs, operations: workload.operations, history: client.history, faults: injected, planned: plan.length, phase })), 1000);

    const faulting = (async () => {
      await sleep(durationMs * 0.05);
      if (options.faults.includes('restore')) await takeSnapshots(context).catch((e) => options.log(`chaos: snapshot failed: ${String(e)}`));
      for (const fault of plan) {
        await sleep(startedAt + fault.atMs - Date.now());
        // Faults run one after another and some take long (a restart storm on a busy machine): those
        // whose time comes after the workload has ended are left out, so a run ends when it should.
        if (Date.now() >= end) break;
        injected.push(await injectFault(fault, context, startedAt));
      }
    })();
    try {
      await Promise.all([workload.run(random.fork(), options.clients, () => Date.now() >= end), faulting]);
    } finally {
      phase = 'healing';
      // Heal: every process running, the database up.
      if (postgres) await postgres.restart().catch(() => undefined); // already running: pg_ctl refuses, harmless
      clearInterval(ticker);
      await cluster.heal();
    }
    options.progress(progressLine({ seed: options.seed, store: options.store, elapsedMs: Date.now() - startedAt, totalMs: durationMs, operations: workload.operations, history: client.history, faults: injected, planned: plan.length, phase: 'quiet?' }));

    const session = openSession(dataDir, cluster.env);
    const { quietMs, behind } = await waitForQuiet(session, options.quietTimeoutMs);
    const observed = await observe({
      session,
      dataDir,
      client,
      customers: workload.customers.map((c) => ({ customerId: c.customerId, token: c.owner.tokens.at(-1) })),
      poolReader: reporter,
      smtpDeliveries: smtp?.deliveries,
      jobTypes: JOB_TYPES,
      graceMs: 5000,
    });
    if (quietMs === null) observed.problems.unshift(`not quiet ${options.quietTimeoutMs / 1000} s after healing: ${behind.length ? `behind the head: ${behind.join(', ')}` : 'the log kept growing'}`);
    await cluster.stop('SIGTERM');
    const live = await projectionChecksums(session);
    observed.events = await readLog(session); // what the last moments before the stop appended too
    await session.close();

    // A fresh rebuild of every projection with the CLI: in a copy of the data directory on SQLite;
    // on PostgreSQL the schemas are the copy's, so in place (the cluster is stopped and checked already).
    const rebuildDir = postgres ? dataDir : join(dir.path, 'rebuilt');
    if (!postgres) cpSync(dataDir, rebuildDir, { recursive: true });
    options.progress(`chaos seed ${options.seed} ${options.store}: rebuilding every projection to compare`);
    const rebuild = await runCli(rebuildDir, ['projections', 'rebuild', '--all'], cluster.env);
    if (rebuild.code !== 0) observed.problems.push(`seams projections rebuild --all failed (exit ${rebuild.code}): ${rebuild.stderr.trim().split('\n').at(-1)}`);
    const rebuiltSession = openSession(rebuildDir, cluster.env);
    const rebuilt = await projectionChecksums(rebuiltSession);
    await rebuiltSession.close();

    const verdict = check(client.history, { ...observed, projections: compareChecksums(live, rebuilt) });
    // Kept for a post-mortem when something was wrong (on SQLite: PostgreSQL's instance goes with the run).
    keep ||= verdict.lost + verdict.duplicated + verdict.violations.length > 0;
    if (keep) writeFileSync(join(dir.path, 'history.json'), JSON.stringify({ options: { ...options, progress: undefined, log: undefined }, faults: injected, history: client.history }, null, 1));
    // PostgreSQL's instance goes with the run: what it held is kept as a dump beside the logs.
    if (keep && postgres) await dumpDatabase(postgres.url, join(dir.path, 'postgres.sql')).catch((e) => options.log(`chaos: pg_dump failed: ${String(e)}`));
    return {
      seed: options.seed,
      store: options.store,
      minutes: options.minutes,
      faults: injected,
      history: client.history,
      operations: workload.operations,
      quietMs,
      unplannedExits: cluster.unplannedExits,
      verdict,
      dataDir: keep ? dir.path : undefined,
    };
  } catch (error) {
    options.log(`chaos: the campaign itself failed: ${String(error)}`);
    if (cluster) options.log(cluster.outputs());
    throw error;
  } finally {
    await cluster?.stop('SIGKILL').catch(() => undefined);
    await postgres?.stop();
    await smtp?.close();
    if (!keep) await dir.cleanup();
  }
}
