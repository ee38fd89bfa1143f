/**
 * What the system holds once quiet, read the way an operator would: the whole log, each module's
 * database (mail log, process timers and outboxes, projection states), the read models over HTTP,
 * and the mail files. Everything the checker compares comes from here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { modules } from '../../src/application.js';
import { CliSession } from '../../src/kernel/cli/session.js';
import type { Client } from './client.js';
import type { LoggedEvent, Observation } from './history.js';

/**
 * A CLI session (store and module databases) on the campaign's data directory and store. The
 * session reads its configuration from the environment once, when made: the campaign's settings
 * are set for that moment only, so nothing else in this process (a test run) sees them.
 */
export function openSession(dataDir: string, env: Record<string, string>): CliSession {
  const saved = { ...process.env };
  try {
    for (const [name, value] of Object.entries(env)) if (name.startsWith('SEAMS_') || name === 'DATABASE_URL') process.env[name] = value;
    return new CliSession(modules, dataDir);
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

export async function readLog(session: CliSession): Promise<LoggedEvent[]> {
  const store = await session.openStore();
  const events: LoggedEvent[] = [];
  for (let after = 0; ; ) {
    const page = await store.readAll({ after, maxCount: 5000 });
    if (page.length === 0) return events;
    for (const e of page) events.push({ position: e.position, type: e.type, stream: e.stream, causationId: e.metadata.causationId ?? null, data: (e.data ?? {}) as Record<string, unknown> });
    after = page.at(-1)!.position;
  }
}

/** The serving generation of a projection (or process) in its module's database. */
export async function servingGeneration(db: Knex, name: string): Promise<number | undefined> {
  const row = (await db('projections').where({ name }).andWhere('serving', true).first()) as { generation: number } | undefined;
  return row?.generation;
}

/** Instances stuck past their timers, outbox rows due and not delivered. */
async function processProblems(session: CliSession, graceMs: number): Promise<string[]> {
  const problems: string[] = [];
  const overdue = Date.now() - graceMs;
  for (const module of modules) {
    if (module.processes.length === 0) continue;
    const db = await session.db(module.name);
    for (const process of module.processes) {
      const generation = await servingGeneration(db, process.name);
      if (generation === undefined) continue;
      const timers = (await db(`timers_g${generation}`).where('due_at', '<', overdue)) as { instance_id: string; name: string; due_at: number }[];
      for (const t of timers) problems.push(`process ${module.name}/${process.name} ${t.instance_id}: timer ${t.name} due at ${new Date(Number(t.due_at)).toISOString()} has not fired`);
      const outbox = (await db(`outbox_g${generation}`).where('status', 'pending')) as { instance_id: string; command_type: string; status: string; next_attempt_at: number; last_error: string | null }[];
      for (const row of outbox) {
        // A command set aside ('failed') is a refusal the process has taken into account (or shows as a pending order).
        if (row.status === 'pending' && Number(row.next_attempt_at) < overdue) problems.push(`process ${module.name}/${process.name} ${row.instance_id}: ${row.command_type} due since ${new Date(Number(row.next_attempt_at)).toISOString()}, not delivered (${row.last_error ?? 'no error'})`.slice(0, 400));
      }
    }
  }
  return problems;
}

/** Projections (and processes) not live: stopped on an event, ahead of the log, still building. */
async function projectionProblems(session: CliSession): Promise<string[]> {
  const problems: string[] = [];
  for (const module of modules) {
    const db = await session.db(module.name);
    const rows = (await db('projections').where('serving', true)) as { name: string; state: string; error: string | null }[];
    for (const row of rows) if (row.state !== 'live') problems.push(`projection ${module.name}/${row.name} is ${row.state}${row.error ? `: ${row.error}` : ''}`.slice(0, 400));
  }
  return problems;
}

async function mailRecords(session: CliSession): Promise<Observation['mailRecords']> {
  const db = await session.db('communications');
  const generation = await servingGeneration(db, 'mail_log');
  if (generation === undefined) return [];
  const rows = (await db(`mail_log_g${generation}`).select('mail_id', 'subject', 'status')) as { mail_id: string; subject: string; status: string }[];
  return rows.map((r) => ({ mailId: r.mail_id, subject: r.subject, status: r.status }));
}

/** The `.eml` files communications wrote (a second delivery of a mail id overwrites its file). */
function mailFiles(dataDir: string): Observation['deliveries'] {
  const dir = join(dataDir, 'modules', 'communications-files', 'mails');
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.eml'));
  } catch {
    return [];
  }
  return names.map((n) => ({ subject: /^Subject: (.*)$/m.exec(readFileSync(join(dir, n), 'utf8'))?.[1]?.trim() ?? '', messageId: n.replace(/\.eml$/, '') }));
}

export interface ObserveOptions {
  session: CliSession;
  dataDir: string;
  client: Client;
  /** Customers and the token of someone allowed to read each. */
  customers: { customerId: string; token?: string }[];
  /** The mails the campaign's SMTP server took (undefined: mail went to `.eml` files). */
  smtpDeliveries?: Observation['deliveries'];
  /** A token that may read job pools. */
  poolReader: string;
  jobTypes: readonly string[];
  graceMs: number;
}

/** Everything but the projections' checksums (those need the cluster stopped). */
export async function observe(options: ObserveOptions): Promise<Omit<Observation, 'projections'>> {
  const { session, client } = options;
  const customers: Record<string, number | null> = {};
  for (const { customerId, token } of options.customers) {
    if (!token) continue;
    const answer = await client.read(`/customers/${customerId}`, token);
    if (answer.status === 200) customers[customerId] = Number(answer.body.reservedCents);
    else if (answer.status === 404) customers[customerId] = null;
  }
  const pools: Observation['pools'] = {};
  for (const type of options.jobTypes) {
    const answer = await client.read(`/jobs/pools/${type}`, options.poolReader);
    if (answer.status === 200) pools[type] = { size: answer.body.size, reserved: answer.body.reserved };
  }
  return {
    events: await readLog(session),
    customers,
    mailRecords: await mailRecords(session),
    deliveries: options.smtpDeliveries ? [...options.smtpDeliveries] : mailFiles(options.dataDir),
    deliveredBy: options.smtpDeliveries ? 'smtp' : 'files',
    pools,
    problems: [...(await projectionProblems(session)), ...(await processProblems(session, options.graceMs))],
  };
}
