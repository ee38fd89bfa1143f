import { userInfo } from 'node:os';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadGenerations } from '../projections/generations.js';
import { retryProjection, skipFailedEvent } from '../projections/operatorActions.js';
import { actsOnParked, retryParked, skipParked } from '../projections/parkedActions.js';
import { ProjectionRunner } from '../projections/projectionRunner.js';
import { parkedStreams } from '../projections/parking.js';
import { describeProjection } from '../projections/status.js';
import type { ProjectionStatus } from '../types/projection.js';
import { UsageError, type CliIo } from './io.js';
import { handOverToLeader } from './rebuildHandover.js';
import { parseTarget, type CliSession } from './session.js';

/** Runs an action with a session on the data directory, closing it afterwards. */
export type WithSession = (action: (session: CliSession) => Promise<void>) => Promise<void>;

export function projectionsCommand(run: WithSession, io: CliIo): Command {
  const projections = new Command('projections').description('inspect, rebuild, retry or skip projections');

  projections
    .command('status')
    .description('position, head, lag and state of every projection (read from the module databases)')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      run(async (session) => {
        const statuses = await readStatuses(session);
        io.out(options.json ? JSON.stringify(statuses, null, 2) : table(statuses));
      }),
    );

  projections
    .command('rebuild')
    .description('rebuild projections from the log into new tables, then swap them in (safe to interrupt and rerun)')
    .argument('[target]', 'module or module/projection')
    .option('--all', 'every projection of every module')
    .action((target: string | undefined, options: { all?: boolean }) =>
      run(async (session) => {
        if (!target && !options.all) throw new UsageError('give module[/projection] or --all');
        if (target && options.all) throw new UsageError('give either module[/projection] or --all, not both');
        const targets = options.all
          ? session.modules.flatMap((m) => m.projections.map((p) => ({ module: m, projection: p.name })))
          : (({ module, projections }) => projections.map((projection) => ({ module, projection })))(parseTarget(target!, session));
        const leaders = new Map<string, boolean>();
        for (const { module, projection } of targets) await rebuild(session, module.name, projection, io, leaders);
      }),
    );

  projections
    .command('retry')
    .description('try again: a stopped projection from the event it stopped at, or its parked streams (all, or --stream)')
    .argument('<target>', 'module/projection')
    .option('--stream <stream>', 'only this parked stream')
    .action((target: string, options: { stream?: string }) =>
      run(async (session) => {
        const { module, projections: [name] } = parseTarget(target, session, true);
        const db = await session.db(module.name);
        const record = { store: await session.openStore(), actor: cliActor() };
        if (await actsOnParked(db, name!, options.stream)) {
          const streams = await retryParked(db, module.name, name!, options.stream, record);
          io.out(`${module.name}/${name}: retrying ${streams.length} parked stream(s): ${streams.map((s) => `${s.stream} (${s.events} event(s) from position ${s.position})`).join(', ')}; its leader replays them shortly`);
          return;
        }
        const g = await retryProjection(db, module.name, name!, record);
        io.out(`${module.name}/${name}: retrying from position ${g.position} (it stopped at ${g.errorPosition ?? '?'})`);
      }),
    );

  projections
    .command('skip')
    .description('pass over the event a stopped projection failed at, or a parked stream\'s first event (recorded as an event in the log)')
    .argument('<target>', 'module/projection')
    .requiredOption('--reason <text>', 'why the event may be skipped (kept in the log)')
    .option('--stream <stream>', 'the parked stream (needed when several are parked)')
    .action((target: string, options: { reason: string; stream?: string }) =>
      run(async (session) => {
        const { module, projections: [name] } = parseTarget(target, session, true);
        const db = await session.db(module.name);
        if (await actsOnParked(db, name!, options.stream)) {
          const { stream, position } = await skipParked(db, module.name, name!, options.stream, options.reason, { store: await session.openStore(), actor: cliActor() });
          io.out(`${module.name}/${name}: skipped the event at position ${position} of parked stream ${stream}; the rest of the stream is retried`);
          return;
        }
        const { position } = await skipFailedEvent(db, await session.openStore(), module.name, name!, options.reason, cliActor());
        io.out(`${module.name}/${name}: skipped the event at position ${position}; it goes on from there`);
      }),
    );
  return projections;
}

/** Who ran the CLI, as the log records it: `cli:<user>`. */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

async function readStatuses(session: CliSession): Promise<ProjectionStatus[]> {
  const head = await (await session.openStore()).headPosition();
  const statuses: ProjectionStatus[] = [];
  for (const module of session.modules) {
    if (module.projections.length === 0) continue;
    const db = await session.db(module.name);
    for (const projection of module.projections) {
      const generations = await loadGenerations(db, projection.name);
      const serving = generations.find((g) => g.serving);
      if (!serving) {
        statuses.push({ module: module.name, projection: projection.name, version: projection.version, generation: 0, position: 0, headPosition: head, lag: head, state: 'stopped' });
        continue;
      }
      statuses.push(describeProjection(module.name, serving, generations.find((g) => !g.serving && g.state === 'building'), head, await parkedStreams(db, serving)));
    }
  }
  return statuses;
}

function table(statuses: ProjectionStatus[]): string {
  const rows = [
    ['PROJECTION', 'VERSION', 'POSITION', 'HEAD', 'LAG', 'STATE', 'DETAIL'],
    ...statuses.map((s) => [
      `${s.module}/${s.projection}`,
      String(s.version),
      String(s.position),
      String(s.headPosition),
      String(s.lag),
      s.state,
      [
        s.error ? `at ${s.error.position ?? '?'}: ${s.error.message}` : s.building ? `rebuilding v${s.building.version} at ${s.building.position}` : '',
        s.parked ? `parked: ${s.parked.map((p) => `${p.stream} at ${p.position} (${p.events} event(s)${p.retrying ? ', retrying' : ''}): ${p.error}`).join('; ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** `leaders`: per module, whether a running process took an earlier rebuild of this run over. */
async function rebuild(session: CliSession, module: string, projection: string, io: CliIo, leaders: Map<string, boolean>): Promise<void> {
  const definition = session.module(module).projections.find((p) => p.name === projection)!;
  const store = await session.openStore();
  const db = await session.db(module);
  const runner = new ProjectionRunner(module, definition, store, db, session.log);
  const start = await runner.resumeOrRebuild();
  const head = await store.headPosition();
  io.err(`${module}/${projection}: ${start > 0 ? `resuming the rebuild at position ${start}` : 'rebuilding from the start'} (head ${head})`);
  const building = (await runner.status()).building;
  if (building && (await handOverToLeader(db, module, projection, building.generation, start, io, leaders)) === 'done') return;
  // A bar that redraws itself on a terminal; elsewhere (logs, pipes) a line every few seconds.
  const bar = io.isTTY
    ? new cliProgress.SingleBar(
        { format: `${module}/${projection} {bar} {percentage}% | {value}/{total} | {speed} events/s | ETA {eta_formatted}`, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const began = Date.now();
  let lastLine = began;
  bar?.start(Math.max(head, 1), start, { speed: 0 });
  const interrupt = () => runner.interrupt();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  let events = 0;
  try {
    await runner.runUntilCaughtUp((p) => {
      events += p.events;
      const speed = Math.round(events / Math.max(0.001, (Date.now() - began) / 1000));
      bar?.setTotal(Math.max(p.head, 1));
      bar?.update(p.position, { speed });
      if (!bar && Date.now() - lastLine > 5000) {
        lastLine = Date.now();
        io.err(`${module}/${projection}: position ${p.position} of ${p.head} (${speed} events/s)`);
      }
    });
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    bar?.stop();
  }
  const status = await runner.status();
  if (status.building) {
    throw new Error(`${module}/${projection}: interrupted at position ${status.building.position}; run the same command again to resume`);
  }
  io.err(`${module}/${projection}: rebuilt (${events} events in ${((Date.now() - began) / 1000).toFixed(1)} s) and swapped in as generation ${status.generation}`);
}
