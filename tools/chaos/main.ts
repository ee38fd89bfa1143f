/**
 * `npm run chaos`: the fault-injection campaign of issue 14. Starts three members and a gateway on
 * SQLite or on a PostgreSQL instance of its own, runs a mixed workload through the gateway while a
 * seeded schedule of faults hits the processes, the database and the files, heals, waits for quiet
 * and checks the invariants (tools/chaos/checker.ts). Exit code 0 when nothing was lost, duplicated
 * or violated, 1 otherwise, 2 for bad arguments. The same --seed plans the same run.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { nonNegativeInteger, positiveInteger } from '../../src/kernel/cli/argParsers.js';
import { ownPostgresUnavailable } from '../../test/support/ownPostgres.js';
import { runCampaign } from './campaign.js';
import { reportLines } from './report.js';
import { FAULT_KINDS, type FaultKind } from './schedule.js';

function minutes(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > 24 * 60) throw new InvalidArgumentError('must be a number of minutes > 0');
  return n;
}

function faultList(value: string): FaultKind[] {
  const kinds = value.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length) throw new InvalidArgumentError(`unknown fault ${unknown.join(', ')} (faults: ${FAULT_KINDS.join(', ')}, or none)`);
  return kinds as FaultKind[];
}

const program = new Command('chaos')
  .description(
    'fault-injection campaign: three members and a gateway, a mixed workload, a seeded schedule of faults ' +
      `(${FAULT_KINDS.join(', ')}); then heal, wait for quiet and check that nothing acknowledged was lost or done twice ` +
      'and that orders, credit, mails, jobs, pools, projections, timers and outboxes agree with the log. ' +
      'Last line: one JSON object. Exit 1 when anything is wrong.',
  )
  .option('--seed <n>', 'seed of the workload and the fault schedule (a failing seed plans the same run again)', nonNegativeInteger, 1)
  .option('--minutes <m>', 'how long the workload and the faults run (then heal, quiet, check)', minutes, 2)
  .addOption(new Option('--store <store>', 'the store the cluster runs on (postgres: an instance of its own, made with initdb)').choices(['sqlite', 'postgres']).default('sqlite'))
  .option('--faults <list>', `comma list of faults to inject, or "none" (${FAULT_KINDS.join(', ')})`, (v) => (v === 'none' ? [] : faultList(v)), [...FAULT_KINDS])
  .addOption(new Option('--mail <where>', 'where mail goes: .eml files, or an SMTP server in this process that counts every delivery (a mail sent twice shows)').choices(['files', 'smtp']).default('files'))
  .option('--clients <n>', 'concurrent workload clients', positiveInteger, 3)
  .option('--fault-gap <s>', 'mean seconds between faults', positiveInteger, 10)
  .option('--lease-ttl <ms>', 'the members’ SEAMS_LEASE_TTL_MS (a paused leader stays stopped 2.5 times this)', positiveInteger, 2000)
  .option('--quiet-timeout <s>', 'how long to wait for quiet after healing', positiveInteger, 120)
  .option('--keep', 'keep the data directory and the processes’ logs (kept anyway when something is wrong)', false)
  .addOption(new Option('--log-level <level>', 'LOG_LEVEL of the members and the gateway (their output is kept in <run>/logs)').choices(['error', 'warn', 'info', 'debug']).default('warn'))
  .configureOutput({ outputError: (text, write) => write(text) })
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .parse();

const options = program.opts<{ seed: number; minutes: number; store: 'sqlite' | 'postgres'; mail: 'files' | 'smtp'; faults: FaultKind[]; clients: number; faultGap: number; leaseTtl: number; quietTimeout: number; keep: boolean; logLevel: string }>();
if (options.store === 'postgres' && ownPostgresUnavailable()) {
  process.stderr.write(`chaos: --store postgres: ${ownPostgresUnavailable()}\n`);
  process.exit(2);
}

const tty = process.stderr.isTTY;
let lastProgress = 0;
const outcome = await runCampaign({
  seed: options.seed,
  minutes: options.minutes,
  store: options.store,
  mail: options.mail,
  faults: options.faults,
  clients: options.clients,
  faultGapMs: options.faultGap * 1000,
  leaseTtlMs: options.leaseTtl,
  quietTimeoutMs: options.quietTimeout * 1000,
  keep: options.keep,
  logLevel: options.logLevel,
  // On a terminal the line is redrawn every second; in a pipe, one line every 10 s.
  progress: (line) => {
    if (tty) process.stderr.write(`\r\x1b[K${line}`);
    else if (Date.now() - lastProgress >= 10_000) process.stderr.write(`${line}\n`);
    else return;
    lastProgress = Date.now();
  },
  log: (line) => process.stderr.write(`${tty ? '\r\x1b[K' : ''}${line}\n`),
}).catch((error) => {
  process.stderr.write(`\nchaos: ${String(error)}\n`);
  process.exit(1);
});
if (tty) process.stderr.write('\n');
process.stdout.write(`${reportLines(outcome).join('\n')}\n`);
process.exit(outcome.verdict.lost + outcome.verdict.duplicated + outcome.verdict.violations.length === 0 ? 0 : 1);
